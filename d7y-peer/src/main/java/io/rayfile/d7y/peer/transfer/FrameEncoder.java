package io.rayfile.d7y.peer.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Encodes control frames (both directions). Piece bytes are not encoded here: the server writes them as file
 * regions right after a {@link Frame.PieceHeader}, and they pass this handler untouched.
 */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToByteEncoder<Frame> {
  static final FrameEncoder INSTANCE = new FrameEncoder();

  private FrameEncoder() {
    super(Frame.class, false); // heap buffers: control frames are tiny and encoded in one go
  }

  @Override
  public boolean acceptOutboundMessage(Object msg) {
    return msg instanceof Frame && !(msg instanceof Frame.PieceChunk);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
    encodeTo(frame, out);
  }

  static void encodeTo(Frame frame, ByteBuf out) {
    if (frame instanceof Frame.Hello h) {
      out.writeInt(Protocol.MAGIC).writeShort(h.version()).writeShort(0);
      return;
    }
    int lengthIndex = out.writerIndex();
    out.writeInt(0); // patched below
    if (frame instanceof Frame.GetPieces g) {
      out.writeByte(Protocol.GET_PIECES).writeInt(g.requestId());
      writeId(out, g.id().hex());
      out.writeShort(g.pieces().length);
      for (int p : g.pieces()) {
        out.writeInt(p);
      }
    } else if (frame instanceof Frame.GetBitmap g) {
      out.writeByte(Protocol.GET_BITMAP).writeInt(g.requestId());
      writeId(out, g.id().hex());
    } else if (frame instanceof Frame.PieceHeader p) {
      out.writeByte(Protocol.PIECE).writeInt(p.requestId()).writeInt(p.piece()).writeInt(p.length())
          .writeInt(p.crc32c());
    } else if (frame instanceof Frame.Error e) {
      byte[] msg = truncatedUtf8(e.message());
      out.writeByte(Protocol.ERROR).writeInt(e.requestId()).writeInt(e.piece()).writeShort(e.status().code())
          .writeShort(msg.length).writeBytes(msg);
    } else if (frame instanceof Frame.Bitmap b) {
      byte[] bits = b.finished().toByteArray();
      int bytes = (b.pieceCount() + 7) / 8;
      int copy = Math.min(bits.length, bytes);
      out.writeByte(Protocol.BITMAP).writeInt(b.requestId()).writeByte(b.kind().ordinal())
          .writeByte(b.complete() ? 1 : 0).writeLong(b.length()).writeInt(b.pieceLength())
          .writeInt(b.pieceCount());
      out.writeBytes(bits, 0, copy);
      out.writeZero(bytes - copy);
    } else {
      throw new IllegalArgumentException("not a control frame: " + frame.getClass().getSimpleName());
    }
    int length = out.writerIndex() - lengthIndex - 4;
    if (length > Protocol.MAX_CONTROL_FRAME) {
      throw new IllegalArgumentException("control frame of " + length + " bytes exceeds "
          + Protocol.MAX_CONTROL_FRAME + ": " + frame.getClass().getSimpleName());
    }
    out.setInt(lengthIndex, length);
  }

  private static void writeId(ByteBuf out, String hex) {
    out.writeBytes(HexFormat.of().parseHex(hex));
  }

  /** UTF-8 of {@code message}, cut at {@link Protocol#MAX_MESSAGE_BYTES} on a character boundary. */
  static byte[] truncatedUtf8(String message) {
    String m = message == null ? "" : message;
    byte[] b = m.getBytes(StandardCharsets.UTF_8);
    int max = Protocol.MAX_MESSAGE_BYTES;
    while (b.length > max) {
      m = m.substring(0, Math.min(m.length() - 1, max));
      b = m.getBytes(StandardCharsets.UTF_8);
    }
    return b;
  }
}
