package io.rayfile.d7y.peer.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.rayfile.d7y.peer.storage.ContentId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/** Test helpers for raw frames and for reading what an {@link EmbeddedChannel} wrote. */
final class Wire {
  private Wire() {}

  static ByteBuf preamble() {
    return Unpooled.buffer().writeInt(Protocol.MAGIC).writeShort(Protocol.VERSION).writeShort(0);
  }

  static ByteBuf encode(Frame frame) {
    ByteBuf b = Unpooled.buffer();
    FrameEncoder.encodeTo(frame, b);
    return b;
  }

  static ContentId id(int n) {
    return new ContentId(String.format("%064x", n));
  }

  /** Everything the channel wrote so far, as bytes: encoded frames and the contents of file regions. */
  static byte[] outboundBytes(EmbeddedChannel ch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      if (msg instanceof ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.readBytes(a);
        out.writeBytes(a);
        b.release();
      } else if (msg instanceof PieceFileRegion r) {
        // EmbeddedChannel "sent" it at once, so its upload may have closed the shared file: read by path.
        try (var f = java.nio.channels.FileChannel.open(r.path())) {
          ByteBuffer buf = ByteBuffer.allocate((int) r.count());
          while (buf.hasRemaining() && f.read(buf, r.position() + buf.position()) > 0) {
            // keep reading
          }
          out.write(buf.array(), 0, buf.position());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          r.release();
        }
      } else if (msg instanceof FileRegion r) {
        try {
          WritableByteChannel sink = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) {
              int n = src.remaining();
              byte[] a = new byte[n];
              src.get(a);
              out.writeBytes(a);
              return n;
            }

            @Override
            public boolean isOpen() {
              return true;
            }

            @Override
            public void close() {}
          };
          while (r.transferred() < r.count()) {
            r.transferTo(sink, r.transferred());
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          r.release();
        }
      } else {
        throw new AssertionError("unexpected outbound " + msg);
      }
    }
    return out.toByteArray();
  }

  /** Decodes server output with the client's decoder; piece chunks are joined into {@link Piece}s. */
  static List<Object> decodeResponses(byte[] bytes) {
    EmbeddedChannel client = new EmbeddedChannel(new ResponseDecoder());
    client.writeInbound(Unpooled.wrappedBuffer(bytes));
    List<Object> frames = new ArrayList<>();
    Object m;
    Frame.PieceHeader header = null;
    ByteArrayOutputStream data = null;
    while ((m = client.readInbound()) != null) {
      if (m instanceof Frame.PieceHeader h) {
        header = h;
        data = new ByteArrayOutputStream();
        if (h.length() == 0) {
          frames.add(new Piece(h, new byte[0]));
        }
      } else if (m instanceof Frame.PieceChunk c) {
        byte[] a = new byte[c.content().readableBytes()];
        c.content().readBytes(a);
        data.writeBytes(a);
        boolean last = c.last();
        c.release();
        if (last) {
          frames.add(new Piece(header, data.toByteArray()));
        }
      } else {
        frames.add(m);
      }
    }
    client.finishAndReleaseAll();
    return frames;
  }

  record Piece(Frame.PieceHeader header, byte[] data) {}
}
