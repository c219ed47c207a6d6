package io.rayfile.d7y.scheduler;

import java.util.Objects;

/** The scheduler's one exception type; {@link #code()} is what crosses the wire. */
public final class SchedulerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final SchedulerErrorCode code;

  public SchedulerException(SchedulerErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public SchedulerException(SchedulerErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public SchedulerErrorCode code() {
    return code;
  }

  /** Shorthand for an {@link SchedulerErrorCode#INVALID_ARGUMENT} error. */
  public static SchedulerException invalid(String message) {
    return new SchedulerException(SchedulerErrorCode.INVALID_ARGUMENT, message);
  }
}
