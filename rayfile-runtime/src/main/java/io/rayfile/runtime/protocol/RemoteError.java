package io.rayfile.runtime.protocol;

import io.rayfile.api.RayFileException;
import io.rayfile.api.TaskFailedException;
import io.rayfile.runtime.cluster.Wire;
import java.util.ArrayList;
import java.util.List;

/**
 * An exception, flattened to travel between processes.
 *
 * @param type the exception's class name
 * @param message its message (may be null)
 * @param code the {@link RayFileException.Code} name when it was one, else null
 * @param stack its stack trace
 * @param cause its cause, or null
 */
public record RemoteError(String type, String message, String code, List<Frame> stack, RemoteError cause)
    implements Wire {

  /** One stack frame. */
  public record Frame(String cls, String method, String file, int line) implements Wire {}

  /** Flattens {@code t} and (up to 8 of) its causes. */
  public static RemoteError of(Throwable t) {
    return of(t, 8);
  }

  private static RemoteError of(Throwable t, int depth) {
    List<Frame> frames = new ArrayList<>();
    for (StackTraceElement e : t.getStackTrace()) {
      frames.add(new Frame(e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber()));
      if (frames.size() == 64) {
        break;
      }
    }
    String code = t instanceof RayFileException r ? r.code().name() : null;
    RemoteError cause = t.getCause() != null && t.getCause() != t && depth > 0 ? of(t.getCause(), depth - 1) : null;
    return new RemoteError(t.getClass().getName(), t.getMessage(), code, frames, cause);
  }

  /** A runtime error of {@code code}, without a stack. */
  public static RemoteError of(RayFileException.Code code, String message) {
    return new RemoteError(RayFileException.class.getName(), message, code.name(), List.of(), null);
  }

  /** Rebuilds the remote exception as a cause chain. */
  public TaskFailedException.RemoteCause toCause() {
    StackTraceElement[] trace = stack.stream()
        .map(f -> new StackTraceElement(f.cls(), f.method(), f.file(), f.line()))
        .toArray(StackTraceElement[]::new);
    return new TaskFailedException.RemoteCause(type, message, trace, cause == null ? null : cause.toCause());
  }
}
