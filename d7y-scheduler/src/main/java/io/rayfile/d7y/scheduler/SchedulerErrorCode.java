package io.rayfile.d7y.scheduler;

/**
 * Stable error codes of the scheduler. They travel as {@code ErrorDetail.code}; the names match the peer's
 * codes where the meaning is the same. Never rename one.
 */
public enum SchedulerErrorCode {
  /** A content id, peer id, host field, piece number or size is malformed. */
  INVALID_ARGUMENT,
  /** The content or peer is not known to this scheduler (expired, left, or never registered). */
  NOT_FOUND,
  /** The request does not fit the stream's state (for example a second register on one stream). */
  FAILED_PRECONDITION,
  /** A bug: something that should not happen did. */
  INTERNAL
}
