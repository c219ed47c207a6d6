package io.rayfile.d7y.peer.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The single pass over a content's bytes: SHA-256 of the whole, CRC32C of each piece, and optionally a copy of the
 * bytes to a second channel. Reads go through one large direct buffer, so the bytes are read once from the page
 * cache and, when copying, written from the same buffer (no heap copy). SHA-256 runs on the JDK's intrinsic
 * (SHA-NI or AVX2 where the CPU has them), CRC32C on the CPU's crc32 instruction.
 */
final class ContentHasher {
  static final int BUFFER_SIZE = 4 << 20;

  /** What one pass found. */
  record Result(ContentId id, long length, int[] crcs) {}

  private ContentHasher() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Feeds bytes [{@code pos}, {@code end}) of {@code in} to {@code sink}, one buffer-full at a time ({@code buf} is
   * reused: the sink consumes it before returning).
   *
   * @return false when the file ends before {@code end}
   */
  static boolean readRange(FileChannel in, ByteBuffer buf, long pos, long end, Consumer<ByteBuffer> sink)
      throws IOException {
    while (pos < end) {
      buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
      int n = in.read(buf, pos);
      if (n < 0) {
        return false;
      }
      buf.flip();
      sink.accept(buf);
      pos += n;
    }
    return true;
  }

  /**
   * Hashes {@code in} from position 0 to its end, cutting pieces of {@code pieceLength}, copying every byte to
   * {@code copyTo} when it is not null.
   *
   * @param expectedLength the length the caller saw; a source that grows or shrinks meanwhile is an error
   */
  static Result hash(FileChannel in, long expectedLength, int pieceLength, FileChannel copyTo) throws IOException {
    PieceLayout layout = new PieceLayout(expectedLength, pieceLength);
    int[] crcs = new int[layout.pieceCount()];
    MessageDigest sha = sha256();
    CRC32C crc = new CRC32C();
    ByteBuffer buf = BufferPool.HASHING.take();
    try {
      return hash(in, expectedLength, pieceLength, copyTo, layout, crcs, sha, crc, buf);
    } finally {
      BufferPool.HASHING.give(buf);
    }
  }

  private static Result hash(FileChannel in, long expectedLength, int pieceLength, FileChannel copyTo,
      PieceLayout layout, int[] crcs, MessageDigest sha, CRC32C crc, ByteBuffer buf) throws IOException {
    long pos = 0;
    int piece = 0;
    long pieceEnd = Math.min(pieceLength, expectedLength);
    while (true) {
      buf.clear();
      int n = in.read(buf, pos);
      if (n < 0) {
        break;
      }
      if (pos + n > expectedLength) {
        throw new ConcurrentModificationIOException("grew past " + expectedLength + " bytes while being imported");
      }
      buf.flip();
      if (copyTo != null) {
        ByteBuffer w = buf.duplicate();
        long wpos = pos;
        while (w.hasRemaining()) {
          wpos += copyTo.write(w, wpos);
        }
      }
      // CRC per piece: one read may span a piece boundary.
      int off = 0;
      while (off < n) {
        int take = (int) Math.min(n - off, pieceEnd - (pos + off));
        ByteBuffer slice = buf.slice(off, take);
        crc.update(slice.duplicate());
        sha.update(slice);
        off += take;
        if (pos + off == pieceEnd) {
          crcs[piece++] = (int) crc.getValue();
          crc.reset();
          pieceEnd = Math.min(pieceEnd + pieceLength, expectedLength);
        }
      }
      pos += n;
    }
    if (pos != expectedLength) {
      throw new ConcurrentModificationIOException("shrank to " + pos + " bytes (expected " + expectedLength
          + ") while being imported");
    }
    return new Result(ContentId.ofDigest(sha.digest()), pos, crcs);
  }

  /** The source file changed size under the import. */
  static final class ConcurrentModificationIOException extends IOException {
    private static final long serialVersionUID = 1L;

    ConcurrentModificationIOException(String message) {
      super(message);
    }
  }
}
