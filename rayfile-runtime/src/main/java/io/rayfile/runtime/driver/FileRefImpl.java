package io.rayfile.runtime.driver;

import io.rayfile.api.FileRef;
import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** A task's output future on the driver. */
final class FileRefImpl implements FileRef {
  private final long taskId;
  private final String name;
  private final CompletableFuture<RayFile> future = new CompletableFuture<>();
  private final Function<RayFile, CompletableFuture<Path>> fetcher;
  private final Runnable onCancel;

  FileRefImpl(long taskId, String name, Function<RayFile, CompletableFuture<Path>> fetcher, Runnable onCancel) {
    this.taskId = taskId;
    this.name = name;
    this.fetcher = fetcher;
    this.onCancel = onCancel;
  }

  long id() {
    return taskId;
  }

  /** Resolves the ref; a handle that arrives after a cancellation is closed at once (its file is freed). */
  void resolve(RayFile handle) {
    if (!future.complete(handle)) {
      handle.close();
    }
  }

  void fail(RayFileException e) {
    future.completeExceptionally(e);
  }

  @Override
  public String taskId() {
    return Long.toUnsignedString(taskId, 16);
  }

  @Override
  public RayFile get() {
    return await(Long.MAX_VALUE, null);
  }

  @Override
  public RayFile get(Duration timeout) {
    return await(timeout.toNanos(), timeout);
  }

  private RayFile await(long nanos, Duration timeout) {
    try {
      return nanos == Long.MAX_VALUE ? future.get() : future.get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new RayFileException(RayFileException.Code.TIMED_OUT, name + " (task " + taskId() + ") did not finish "
          + "within " + timeout + "; it goes on, call get() again to keep waiting");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RayFileException(RayFileException.Code.CANCELLED, "interrupted while waiting for " + name, e);
    } catch (ExecutionException e) {
      throw unwrap(e);
    } catch (CancellationException e) {
      throw cancelled();
    }
  }

  @Override
  public CompletableFuture<RayFile> future() {
    return future;
  }

  @Override
  public CompletableFuture<Path> fetch() {
    return future.thenCompose(fetcher);
  }

  @Override
  public boolean cancel() {
    boolean cancelled = future.completeExceptionally(cancelled());
    if (cancelled) {
      onCancel.run();
    }
    return cancelled;
  }

  @Override
  public boolean isDone() {
    return future.isDone();
  }

  @Override
  public void close() {
    if (!cancel() && !future.isCompletedExceptionally()) {
      future.join().close();
    }
  }

  private RayFileException cancelled() {
    return new RayFileException(RayFileException.Code.CANCELLED, name + " (task " + taskId() + ") was cancelled");
  }

  static RayFileException unwrap(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof RayFileException r) {
      return r;
    }
    return new RayFileException(RayFileException.Code.INTERNAL, t.toString(), t);
  }

  @Override
  public String toString() {
    return "FileRef[" + name + " task " + taskId() + (future.isDone() ? " done" : "") + "]";
  }
}
