package io.rayfile.d7y.peer.grpc;

import io.grpc.stub.StreamObserver;
import io.rayfile.proto.v1.DownloadProgress;

/**
 * Serializes and throttles progress messages onto one response stream: engine callbacks arrive from several
 * threads, and a StreamObserver is not thread-safe; one message per 100 ms is plenty for a progress bar.
 */
final class ProgressStream {
  private static final long EVERY_NANOS = 100_000_000L;

  private final StreamObserver<DownloadProgress> out;
  private long lastNanos;
  private boolean finished;

  ProgressStream(StreamObserver<DownloadProgress> out) {
    this.out = out;
  }

  synchronized void update(long done, long total) {
    long now = System.nanoTime();
    if (finished || now - lastNanos < EVERY_NANOS) {
      return;
    }
    lastNanos = now;
    out.onNext(DownloadProgress.newBuilder().setDoneBytes(done).setTotalBytes(total).build());
  }

  synchronized void finish(DownloadProgress last) {
    if (finished) {
      return;
    }
    finished = true;
    out.onNext(last);
    out.onCompleted();
  }

  synchronized void fail(Throwable error) {
    if (finished) {
      return;
    }
    finished = true;
    out.onError(error);
  }
}
