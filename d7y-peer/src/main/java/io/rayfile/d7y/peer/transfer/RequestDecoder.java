package io.rayfile.d7y.peer.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Server side: the client's preamble, then GET_PIECES / GET_BITMAP frames. Checks structure only (lengths, types,
 * counts); what a request asks for is judged by {@link UploadHandler}. After the first violation it throws a
 * {@link FrameException} and discards everything that follows.
 */
final class RequestDecoder extends ByteToMessageDecoder {
  private enum State { PREAMBLE, FRAMES, BROKEN }

  private State state = State.PREAMBLE;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (state == State.BROKEN) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      if (state == State.PREAMBLE) {
        int version = FrameReader.readPreamble(in);
        if (version >= 0) {
          state = State.FRAMES;
          out.add(new Frame.Hello(version));
        }
        return;
      }
      int length = FrameReader.readFrameLength(in);
      if (length < 0) {
        return;
      }
      out.add(decodeFrame(in, length));
    } catch (FrameException e) {
      state = State.BROKEN;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  private static Frame decodeFrame(ByteBuf in, int length) {
    int end = in.readerIndex() + length;
    byte type = in.readByte();
    Frame frame;
    if (type == Protocol.GET_PIECES) {
      if (length < 39) {
        throw new FrameException(WireStatus.BAD_REQUEST, "GET_PIECES frame too short: " + length + " bytes");
      }
      int requestId = in.readInt();
      var id = FrameReader.readContentId(in);
      int count = in.readUnsignedShort();
      if (count == 0 || count > Protocol.MAX_PIECES_PER_FRAME) {
        throw new FrameException(WireStatus.BAD_REQUEST,
            "GET_PIECES must name 1.." + Protocol.MAX_PIECES_PER_FRAME + " pieces, got " + count);
      }
      FrameReader.expectLength("GET_PIECES with " + count + " pieces", length, 39 + 4 * count);
      int[] pieces = new int[count];
      for (int i = 0; i < count; i++) {
        pieces[i] = in.readInt();
      }
      frame = new Frame.GetPieces(requestId, id, pieces);
    } else if (type == Protocol.GET_BITMAP) {
      FrameReader.expectLength("GET_BITMAP", length, 37);
      frame = new Frame.GetBitmap(in.readInt(), FrameReader.readContentId(in));
    } else {
      throw new FrameException(WireStatus.BAD_REQUEST,
          String.format("unknown request frame type 0x%02x", type & 0xff));
    }
    if (in.readerIndex() != end) {
      throw new AssertionError("decoder consumed " + (in.readerIndex() - end + length) + " of " + length);
    }
    return frame;
  }
}
