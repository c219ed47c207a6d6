package io.rayfile.d7y.peer.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/**
 * The SHA-256 of a content being downloaded, taken in piece order while the pieces land: each commit hashes the
 * pieces that have become contiguous from the start, reading them back while they are still in the page cache.
 * Completing the content then hashes only what is left (nothing, when pieces arrived roughly in order) instead of
 * the whole content in one pause at the end; with eight peers finishing a 512 MiB content at once on two cores,
 * that pause was seconds long.
 *
 * <p>Thread-safe. {@link #advance} never waits: when another thread is hashing, it leaves the new pieces to that
 * thread, which checks again after it lets go. The check is the same as before: every byte of the content, read
 * from the file after its piece was committed.
 */
final class InOrderHash {
  private final ReentrantLock lock = new ReentrantLock();
  /** Read pieces back with O_DIRECT ({@link DirectIo}): they were written past the page cache. */
  private final boolean directIo;
  private final MessageDigest sha = ContentHasher.sha256();
  /** Pieces [0, next) are in the digest. */
  private volatile int next;
  /** An I/O error left the digest unusable: {@link #finish} reports that and the caller hashes the file itself. */
  private volatile boolean broken;

  InOrderHash(boolean directIo) {
    this.directIo = directIo;
  }

  /** Hashes the pieces contiguous from {@link #next} that {@code finished} says are in the file; never blocks. */
  void advance(Path file, PieceLayout layout, IntPredicate finished) {
    while (!broken && next < layout.pieceCount() && finished.test(next)) {
      if (!lock.tryLock()) {
        return; // the holder re-checks after it unlocks
      }
      try {
        hashContiguous(file, layout, finished);
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * The digest of the whole content, once every piece is in the file; null when it could not be taken in order
   * (the caller then hashes the file in one pass). Call after the last piece; it starts over afterwards.
   */
  ContentId finish(Path file, PieceLayout layout, IntPredicate finished) {
    lock.lock();
    try {
      hashContiguous(file, layout, finished);
      ContentId id = broken || next < layout.pieceCount() ? null : ContentId.ofDigest(sha.digest());
      sha.reset(); // a second call (a completion that failed after the check) hashes from the start again
      next = 0;
      broken = false;
      return id;
    } finally {
      lock.unlock();
    }
  }

  /** Starts over (pieces already hashed were dropped and will be written again). */
  void reset() {
    lock.lock();
    try {
      sha.reset();
      next = 0;
      broken = false;
    } finally {
      lock.unlock();
    }
  }

  private void hashContiguous(Path file, PieceLayout layout, IntPredicate finished) {
    if (broken || next >= layout.pieceCount() || !finished.test(next)) {
      return;
    }
    ByteBuffer buf = BufferPool.HASHING.take();
    try (FileChannel direct = directIo ? DirectIo.openRead(file) : null;
        FileChannel ch = direct != null ? direct : FileChannel.open(file, StandardOpenOption.READ)) {
      int piece = next;
      while (piece < layout.pieceCount() && finished.test(piece)) {
        long start = layout.offset(piece);
        long end = start + layout.size(piece);
        boolean read = direct != null && DirectIo.aligned(start)
            ? DirectIo.readRange(ch, buf, start, end, sha::update)
            : ContentHasher.readRange(ch, buf, start, end, sha::update);
        if (!read) {
          throw new IOException(file + " ends inside piece " + piece);
        }
        next = ++piece;
      }
    } catch (IOException e) {
      broken = true; // a partial piece may be in the digest: only a full pass can tell now
    } finally {
      BufferPool.HASHING.give(buf);
    }
  }
}
