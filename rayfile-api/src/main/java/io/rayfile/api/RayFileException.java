package io.rayfile.api;

/**
 * The one (unchecked) exception type of the API. {@link #code()} says what went wrong; the message says what and
 * what to do about it.
 */
public class RayFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Code {
    /** A bad argument: a path that does not exist, a non-static task, a wrong argument type. */
    INVALID_ARGUMENT,
    /** A content or node the cluster does not know. */
    NOT_FOUND,
    /** The task threw; {@link TaskFailedException} carries the remote cause. */
    TASK_FAILED,
    /** A wait ran out of time. */
    TIMED_OUT,
    /** The task or fetch was cancelled. */
    CANCELLED,
    /** Every copy of the file is gone and it cannot be rebuilt. */
    LOST,
    /** The file's owner died, and with it the file (owner lifetime). */
    OWNER_DIED,
    /** The head, a node or the runtime is not reachable or not running. */
    UNAVAILABLE,
    /** A node's store cannot take the bytes (quota, disk full). */
    RESOURCE_EXHAUSTED,
    /** A bug or an unexpected failure. */
    INTERNAL
  }

  private final Code code;

  public RayFileException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public RayFileException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** What went wrong. */
  public Code code() {
    return code;
  }
}
