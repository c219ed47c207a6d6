package io.rayfile.d7y.peer.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;

/**
 * Client side: the server's preamble, then PIECE / ERROR / BITMAP frames. The raw bytes after a PIECE header are
 * passed on as retained slices of whatever arrived ({@link Frame.PieceChunk}), so a piece is never gathered whole
 * in memory: each chunk is at most one socket read.
 */
final class ResponseDecoder extends ByteToMessageDecoder {
  private enum State { PREAMBLE, FRAMES, PAYLOAD, BROKEN }

  private final int maxPieceLength;
  private State state = State.PREAMBLE;
  private int remaining;

  ResponseDecoder(int maxPieceLength) {
    this.maxPieceLength = maxPieceLength;
  }

  ResponseDecoder() {
    this(PieceLayout.MAX_PIECE);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    try {
      switch (state) {
        case BROKEN -> in.skipBytes(in.readableBytes());
        case PREAMBLE -> {
          int version = FrameReader.readPreamble(in);
          if (version >= 0) {
            state = State.FRAMES;
            out.add(new Frame.Hello(version));
          }
        }
        case PAYLOAD -> {
          int n = Math.min(in.readableBytes(), remaining);
          if (n > 0) {
            remaining -= n;
            if (remaining == 0) {
              state = State.FRAMES;
            }
            out.add(new Frame.PieceChunk(in.readRetainedSlice(n), remaining == 0));
          }
        }
        case FRAMES -> {
          int length = FrameReader.readFrameLength(in);
          if (length >= 0) {
            out.add(decodeFrame(in, length));
          }
        }
        default -> throw new AssertionError(state);
      }
    } catch (FrameException e) {
      state = State.BROKEN;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  private Frame decodeFrame(ByteBuf in, int length) {
    byte type = in.readByte();
    if (type == Protocol.PIECE) {
      FrameReader.expectLength("PIECE", length, 17);
      int requestId = in.readInt();
      int piece = in.readInt();
      int size = in.readInt();
      int crc = in.readInt();
      if (size < 0 || size > maxPieceLength) {
        throw new FrameException(WireStatus.BAD_REQUEST,
            "PIECE length " + Integer.toUnsignedString(size) + " is outside 0.." + maxPieceLength);
      }
      if (size > 0) {
        state = State.PAYLOAD;
        remaining = size;
      }
      return new Frame.PieceHeader(requestId, piece, size, crc);
    }
    if (type == Protocol.ERROR) {
      if (length < 13) {
        throw new FrameException(WireStatus.BAD_REQUEST, "ERROR frame too short: " + length + " bytes");
      }
      int requestId = in.readInt();
      int piece = in.readInt();
      int status = in.readUnsignedShort();
      int msgLength = in.readUnsignedShort();
      FrameReader.expectLength("ERROR with a " + msgLength + "-byte message", length, 13 + msgLength);
      String msg = in.readCharSequence(msgLength, StandardCharsets.UTF_8).toString();
      return new Frame.Error(requestId, piece, WireStatus.of(status), msg);
    }
    if (type == Protocol.BITMAP) {
      if (length < 23) {
        throw new FrameException(WireStatus.BAD_REQUEST, "BITMAP frame too short: " + length + " bytes");
      }
      int requestId = in.readInt();
      int kind = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      long contentLength = in.readLong();
      int pieceLength = in.readInt();
      int pieceCount = in.readInt();
      if (kind >= ContentKind.values().length || pieceCount < 0 || contentLength < 0) {
        throw new FrameException(WireStatus.BAD_REQUEST, "BITMAP frame has a bad kind " + kind + ", length "
            + contentLength + " or piece count " + pieceCount);
      }
      FrameReader.expectLength("BITMAP of " + pieceCount + " pieces", length, 23 + (pieceCount + 7) / 8);
      byte[] bits = new byte[(pieceCount + 7) / 8];
      in.readBytes(bits);
      BitSet finished = BitSet.valueOf(bits);
      if (finished.length() > pieceCount) {
        throw new FrameException(WireStatus.BAD_REQUEST, "BITMAP names piece " + (finished.length() - 1)
            + " of a content with " + pieceCount + " pieces");
      }
      return new Frame.Bitmap(requestId, ContentKind.values()[kind], (flags & 1) != 0, contentLength,
          pieceLength, pieceCount, finished);
    }
    throw new FrameException(WireStatus.BAD_REQUEST,
        String.format("unknown response frame type 0x%02x", type & 0xff));
  }
}
