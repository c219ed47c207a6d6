package io.rayfile.d7y.peer.storage;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.io.IOException;
import java.nio.file.FileSystemException;

/** Turns I/O failures of the store into {@link PeerException}s with the right code and context. */
final class StorageErrors {
  private StorageErrors() {}

  /** ENOSPC or EDQUOT anywhere in the cause chain. */
  static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
        return true;
      }
      if (t instanceof FileSystemException f && f.getReason() != null
          && (f.getReason().contains("No space left on device") || f.getReason().contains("Disk quota exceeded"))) {
        return true;
      }
    }
    return false;
  }

  /** A cross-device link (EXDEV), or a file system that refuses hard links: callers fall back to a copy. */
  static boolean isLinkRefused(IOException e) {
    return e instanceof FileSystemException && !(e instanceof java.nio.file.FileAlreadyExistsException)
        && !(e instanceof java.nio.file.NoSuchFileException);
  }

  /**
   * DISK_FULL when the file system is full, IO_ERROR otherwise.
   *
   * @param doing what the store was doing, e.g. "importing /x/y as a new content"
   */
  static PeerException io(IOException e, String doing) {
    if (isDiskFull(e)) {
      return new PeerException(ErrorCode.DISK_FULL, "no space left on the device while " + doing
          + "; its partial data was removed. Free disk space or lower the store quota below the free space", e);
    }
    return new PeerException(ErrorCode.IO_ERROR, "I/O error while " + doing + ": " + e, e);
  }
}
