package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.storage.ContentId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** A request waiting on the client or in flight on a connection. */
abstract sealed class ClientRequest {
  final HostPort parent;
  final ContentId id;
  final long startNanos = System.nanoTime();

  ClientRequest(HostPort parent, ContentId id) {
    this.parent = parent;
    this.id = id;
  }

  /** Fails the request (aborting its sink if it has one), on {@code executor}. */
  abstract void fail(Throwable cause, Executor executor);

  final boolean isDone() {
    return done().isDone();
  }

  /** Completes (either way) when the request is over. */
  abstract CompletableFuture<?> done();

  /** A request whose answer is small (a piece of a small content, a bitmap): it goes ahead of large pieces. */
  abstract boolean isLight();

  abstract Frame frame(int requestId);

  /** One piece into a sink. */
  static final class Fetch extends ClientRequest {
    final int piece;
    final PieceSink sink;
    final CompletableFuture<PieceResult> future = new CompletableFuture<>();
    private boolean sinkClosed;

    Fetch(HostPort parent, ContentId id, int piece, PieceSink sink) {
      super(parent, id);
      this.piece = piece;
      this.sink = sink;
    }

    @Override
    Frame frame(int requestId) {
      return new Frame.GetPieces(requestId, id, new int[] {piece});
    }

    @Override
    CompletableFuture<?> done() {
      return future;
    }

    @Override
    boolean isLight() {
      return sink.light();
    }

    /** Aborts the sink once; safe to call from the I/O thread. */
    void abortSink() {
      if (!sinkClosed) {
        sinkClosed = true;
        try {
          sink.abort();
        } catch (RuntimeException e) {
          // the fetch failed already; the sink's own trouble adds nothing
        }
      }
    }

    void markSinkClosed() {
      sinkClosed = true;
    }

    @Override
    void fail(Throwable cause, Executor executor) {
      abortSink();
      executor.execute(() -> future.completeExceptionally(cause));
    }
  }

  /** A parent's bitmap of one content. */
  static final class Bitmap extends ClientRequest {
    final CompletableFuture<PieceBitmap> future = new CompletableFuture<>();

    Bitmap(HostPort parent, ContentId id) {
      super(parent, id);
    }

    @Override
    Frame frame(int requestId) {
      return new Frame.GetBitmap(requestId, id);
    }

    @Override
    CompletableFuture<?> done() {
      return future;
    }

    @Override
    boolean isLight() {
      return true;
    }

    @Override
    void fail(Throwable cause, Executor executor) {
      executor.execute(() -> future.completeExceptionally(cause));
    }
  }
}
