package io.rayfile.d7y.peer.storage;

import java.nio.file.Path;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * A node's content-addressed store. Thread-safe. All failures are {@link io.rayfile.d7y.peer.PeerException}s
 * with a code saying what went wrong.
 */
public interface ContentStore extends AutoCloseable {

  /**
   * Imports a regular file: hashes and cuts it into pieces in one pass. With {@code move}, a file on the same
   * file system is hard-linked into the store instead of copied (the caller must not modify it afterwards).
   */
  ImportResult importFile(Path file, boolean move, boolean pin);

  /**
   * Imports a directory: every file becomes a content (identical files stored once), then its canonical manifest
   * is stored as a {@link ContentKind#DIRECTORY} content. Pinning pins the manifest and every file it names.
   */
  ImportResult importDirectory(Path dir, boolean move, boolean pin);

  /** What the store knows about {@code id}, complete or partial. */
  Optional<ContentInfo> stat(ContentId id);

  /** Finished pieces of a content (empty when unknown). */
  BitSet finishedPieces(ContentId id);

  /** Every content held, complete or partial, ordered by id. */
  List<ContentInfo> list();

  /** Re-reads a content and checks every finished piece's CRC32C and, when complete, the SHA-256. */
  VerifyReport verify(ContentId id);

  /**
   * Materializes a complete content at {@code dest} (which must not exist): a file is hard-linked (copied across
   * file systems, or when {@code writable}); a directory is assembled in a temporary sibling and renamed into
   * place atomically, so a reader never sees half of it.
   *
   * @return {@code dest}
   */
  Path materialize(ContentId id, Path dest, boolean writable);

  /**
   * Starts (or resumes) a content that will arrive piece by piece. Creates its preallocated data file and
   * metadata if new; returns the existing record if it is already known.
   */
  ContentInfo begin(ContentId id, ContentKind kind, PieceLayout layout);

  /** Opens a writer for one missing piece of a partial content. */
  PieceWriter writePiece(ContentId id, int piece);

  /** Location of a finished piece, for serving. Serving partial contents is allowed. */
  PieceData readPiece(ContentId id, int piece);

  /** Adds one pin. */
  ContentInfo pin(ContentId id);

  /** Removes one pin (never below zero). */
  ContentInfo unpin(ContentId id);

  /**
   * Deletes a content. A pinned content is refused (PINNED) unless {@code force}.
   *
   * @return bytes freed (0 when the content was unknown)
   */
  long delete(ContentId id, boolean force);

  /**
   * One eviction pass at time {@code now}: unpinned contents idle longer than the TTL, then least recently used
   * unpinned contents while usage is above the high watermark, until it is below the low watermark.
   */
  EvictionResult evict(Instant now);

  /** Current usage. */
  StoreUsage usage();

  @Override
  void close();
}
