package io.rayfile.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The future of a task's output file. It resolves to a {@link RayFile} owned by the caller once the task has run
 * (wherever it ran); {@link #fetch()} also brings the bytes to this process's node, through the cache hierarchy.
 *
 * <pre>{@code
 * try (FileRef audio = rt.task(Media::extractAudio, video, "mp3").remote()) {
 *   RayFile handle = audio.get(Duration.ofMinutes(5));   // waits for the task
 *   Path local = audio.fetch().join();                   // a read-only local copy
 * }                                                      // closing releases the output
 * }</pre>
 *
 * <p>Closing a pending ref cancels its task; closing a resolved one closes its handle.
 */
public interface FileRef extends AutoCloseable {

  /** The task's id, unique in the cluster. */
  String taskId();

  /**
   * Waits for the task and returns its output handle (the same handle on every call; it is closed with this ref).
   *
   * @throws TaskFailedException when the task threw
   * @throws RayFileException CANCELLED, LOST, OWNER_DIED or UNAVAILABLE
   */
  RayFile get();

  /**
   * Like {@link #get()}, waiting at most {@code timeout}.
   *
   * @throws RayFileException TIMED_OUT when the task has not finished in time (the task goes on)
   */
  RayFile get(Duration timeout);

  /** The output handle when the task finishes; completes exceptionally with a {@link RayFileException}. */
  CompletableFuture<RayFile> future();

  /**
   * A local, read-only path to the output on this process's node, once the task finished: from this worker's
   * cache, this job's, the node's store, a peer, or the origin, in that order.
   */
  CompletableFuture<Path> fetch();

  /** Cancels the task if it has not finished (a running task is interrupted). Returns false if it had finished. */
  boolean cancel();

  /** True once the task finished, failed or was cancelled. */
  boolean isDone();

  /** Cancels a pending task, or closes the output handle. Idempotent. */
  @Override
  void close();
}
