package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.storage.PieceWriter;
import java.nio.ByteBuffer;

/**
 * Where a fetched piece's bytes go, normally the store's {@link PieceWriter}. The client calls {@link #write}
 * with the bytes in order as they arrive (on an I/O thread, in buffers it reuses: copy or consume them before
 * returning), then exactly one of {@link #commit} (bytes complete and their CRC32C matched) or {@link #abort}
 * (anything else: a CRC mismatch, an error frame, a lost connection, a cancelled future).
 */
public interface PieceSink {
  /** Consumes the next bytes of the piece. A failure here aborts the fetch. */
  void write(ByteBuffer bytes);

  /** All bytes arrived and matched {@code crc32c}; the sink may check again (a store does). */
  void commit(int crc32c);

  /** The piece will not be completed; discard what was written. Idempotent. */
  void abort();

  /**
   * True when committing is cheap (a small content: even hashing all of it is quick), so the commit may skip the
   * queue behind large ones: the last piece of a 1 GiB content hashes the whole GiB on commit.
   */
  default boolean light() {
    return false;
  }

  /** A sink writing into a store's piece writer. */
  static PieceSink of(PieceWriter writer) {
    return of(writer, false);
  }

  /** A sink writing into a store's piece writer, {@link #light()} as given. */
  static PieceSink of(PieceWriter writer, boolean light) {
    return new PieceSink() {
      @Override
      public boolean light() {
        return light;
      }

      @Override
      public void write(ByteBuffer bytes) {
        writer.write(bytes);
      }

      @Override
      public void commit(int crc32c) {
        writer.commit(crc32c);
      }

      @Override
      public void abort() {
        writer.abort();
      }
    };
  }
}
