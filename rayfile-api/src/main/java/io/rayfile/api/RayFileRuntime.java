package io.rayfile.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to a RayFile cluster, from {@link RayFile#connect(String)} or {@link RayFile#local(int)}. It is
 * the job: closing it releases every handle it still holds and ends the job.
 *
 * <pre>{@code
 * try (RayFileRuntime rt = RayFile.connect("10.0.0.1:2552")) {
 *   RayFile video = rt.put(Path.of("talk.mp4"));
 *   FileRef audio = rt.task(Media::extractAudio, video, "mp3").remote();
 *   FileRef thumbs = rt.task(Media::thumbnails, video).remote();
 *   rt.wait(List.of(audio, thumbs), 2, Duration.ofMinutes(10));
 * }
 * }</pre>
 */
public interface RayFileRuntime extends AutoCloseable {

  /** Stores a file or directory on this process's node (copied); the handle is owned by this process. */
  RayFile put(Path path);

  /** Stores a file or directory with {@code options} (replicas, lifetime, move). */
  RayFile put(Path path, PutOptions options);

  /**
   * A local read-only path to {@code file} on this process's node: from this process's cache, this job's, the
   * node's store, a peer, or the origin, in that order.
   */
  CompletableFuture<Path> fetch(RayFile file);

  /** Releases a {@link Lifetime#JOB} or {@link Lifetime#DETACHED} file's pin; it is freed once unreferenced. */
  void release(RayFile file);

  /** A task without parameters. */
  TaskCall task(Task.F0 task);

  /** A task with one parameter. */
  <A> TaskCall task(Task.F1<A> task, Object a);

  /** A task with two parameters. */
  <A, B> TaskCall task(Task.F2<A, B> task, Object a, Object b);

  /** A task with three parameters. */
  <A, B, C> TaskCall task(Task.F3<A, B, C> task, Object a, Object b, Object c);

  /** A task with four parameters. */
  <A, B, C, D> TaskCall task(Task.F4<A, B, C, D> task, Object a, Object b, Object c, Object d);

  /**
   * Waits until {@code n} of {@code refs} have finished (successfully or not) or {@code timeout} passed.
   *
   * @return ready and not ready refs, each in input order
   */
  WaitResult wait(List<? extends FileRef> refs, int n, Duration timeout);

  /** The nodes of the cluster now. */
  List<NodeInfo> nodes();

  /** Ends the job: closes every handle and ref still open here, and leaves the cluster. */
  @Override
  void close();
}
