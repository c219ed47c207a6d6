package io.rayfile.api;

import java.nio.file.Path;

/**
 * What a running task knows about itself. Inside a task:
 *
 * <pre>{@code
 * static Path thumbnails(Path video) throws IOException {
 *   Path out = TaskContext.current().scratchDir().resolve("thumbs");   // returned paths must live here
 *   ...
 *   return out;
 * }
 * }</pre>
 *
 * @param taskId the task's id
 * @param nodeId the node running it
 * @param jobId the job (driver session) it belongs to
 * @param scratchDir an empty directory for this run's outputs, on the node's store file system (so a returned path
 *     is imported by hard link, without copying); deleted after the task
 * @param attempt 0 for the first run, then 1, 2, ... for retries
 */
public record TaskContext(String taskId, String nodeId, String jobId, Path scratchDir, int attempt) {
  private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

  /**
   * The context of the task running on this thread.
   *
   * @throws RayFileException INVALID_ARGUMENT outside a task
   */
  public static TaskContext current() {
    TaskContext c = CURRENT.get();
    if (c == null) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT,
          "TaskContext.current() is only available inside a running task");
    }
    return c;
  }

  /** For runtimes: makes {@code context} current on this thread until the returned scope is closed. */
  public static Scope enter(TaskContext context) {
    TaskContext previous = CURRENT.get();
    CURRENT.set(context);
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** Ends a {@link #enter} scope. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
