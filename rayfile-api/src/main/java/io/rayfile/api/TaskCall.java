package io.rayfile.api;

/**
 * A task call being prepared: set {@link #options}, then {@link #remote()} submits it.
 *
 * <pre>{@code
 * FileRef out = rt.task(Media::transcode, video, 480).options(TaskOptions.defaults().maxRetries(1)).remote();
 * }</pre>
 */
public interface TaskCall {

  /** The same call with other options. */
  TaskCall options(TaskOptions options);

  /**
   * Submits the task: it runs once all its {@link FileRef} arguments are resolved, on a node chosen by its
   * placement. Returns at once.
   *
   * @throws RayFileException INVALID_ARGUMENT when the method is not static or an argument does not fit its
   *     parameter
   */
  FileRef remote();
}
