package io.rayfile.d7y.peer;

/**
 * Stable error codes of the peer. They travel over gRPC as {@code ErrorDetail.code} and are the names a client
 * matches on; never rename one.
 */
public enum ErrorCode {
  /** A content id, path or option is malformed. */
  INVALID_ARGUMENT,
  /** The content is not held by this node. */
  NOT_FOUND,
  /** The destination of a download already exists. */
  ALREADY_EXISTS,
  /** A directory manifest (or a directory being imported) breaks the manifest rules. */
  BAD_MANIFEST,
  /** Stored bytes no longer match their CRC32C or SHA-256. */
  CORRUPT_CONTENT,
  /** The content exists but not all of its pieces are here yet. */
  INCOMPLETE,
  /** The operation would delete or evict a pinned content. */
  PINNED,
  /** The store's quota cannot make room: pinned data alone fills it. */
  QUOTA_EXCEEDED,
  /** The file system ran out of space while writing. */
  DISK_FULL,
  /** A service this peer needs (scheduler, parent, origin) cannot be reached. */
  UNAVAILABLE,
  /** Any other I/O failure. */
  IO_ERROR,
  /** A bug: something that should not happen did. */
  INTERNAL
}
