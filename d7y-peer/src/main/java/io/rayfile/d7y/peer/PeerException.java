package io.rayfile.d7y.peer;

import java.util.Objects;

/**
 * The one unchecked exception of the peer. Its message says what was wrong and what to do; its {@link #code()}
 * is what callers branch on. Mapped to a gRPC status only at the gRPC edge.
 */
public class PeerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public PeerException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public PeerException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  @Override
  public String toString() {
    return code + ": " + getMessage();
  }
}
