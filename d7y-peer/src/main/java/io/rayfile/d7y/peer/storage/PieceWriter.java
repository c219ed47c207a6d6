package io.rayfile.d7y.peer.storage;

import java.nio.ByteBuffer;

/**
 * One piece being written: temp -> commit / abort. Bytes go straight to their offset in the content's data file,
 * but the piece counts as present only after {@link #commit(int)} checked its CRC32C and recorded it in the
 * metadata; an aborted or abandoned piece is simply not there (a restart fetches it again).
 */
public interface PieceWriter extends AutoCloseable {
  /** Appends bytes to the piece. Writing past the piece's size is an error. */
  void write(ByteBuffer bytes);

  /**
   * Checks the written bytes against {@code expectedCrc32c} and the piece size, and marks the piece finished.
   * When it was the last missing piece, the whole content's SHA-256 is verified and the content becomes complete.
   *
   * @throws io.rayfile.d7y.peer.PeerException CORRUPT_CONTENT on a CRC or size mismatch (the piece stays missing)
   */
  void commit(int expectedCrc32c);

  /** Discards the piece. Idempotent; a no-op after commit. */
  void abort();

  /** Aborts unless committed. */
  @Override
  void close();
}
