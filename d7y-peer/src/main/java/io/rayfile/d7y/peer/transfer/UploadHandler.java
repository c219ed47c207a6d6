package io.rayfile.d7y.peer.transfer;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.WriteTimeoutException;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.PieceData;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server side, one per connection: answers decoded requests in the order they arrived. Responses share one byte
 * stream and a piece's raw bytes follow its header, so exactly one response is produced at a time; pieces wait
 * for a daemon-wide upload slot ({@link UploadLimiter}) and are sent by a {@link PieceUpload}. A scarce daemon
 * claims each piece of a large content for one connection at a time ({@link UploadClaims}), from the request's
 * arrival until its upload ends.
 *
 * <p>Bounds: at most {@code maxInFlightPerConnection} requested pieces queued (more are refused with
 * TOO_MANY_REQUESTS; a client that keeps ignoring that is disconnected), and reading stops while the channel is
 * not writable, so a client that does not read cannot make the server buffer responses.
 */
final class UploadHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(UploadHandler.class);
  /** Refusals that may wait in the queue; a client exceeding even that is not playing by the rules. */
  static final int MAX_QUEUED_REFUSALS = 64;

  private sealed interface Job {}

  /**
   * A requested piece. {@code claimed}: it holds an {@link UploadClaims} claim on the piece; {@code elsewhere}:
   * another connection holds one, and the answer is SENDING_ELSEWHERE.
   */
  private record PieceJob(int requestId, io.rayfile.d7y.peer.storage.ContentId id, int piece, boolean claimed,
      boolean elsewhere) implements Job {}

  private record BitmapJob(int requestId, io.rayfile.d7y.peer.storage.ContentId id) implements Job {}

  private record Refusal(Frame.Error error) implements Job {}

  private final ContentStore store;
  private final UploadLimiter limiter;
  private final UploadClaims claims;
  private final ServerSettings settings;
  private final TransferMetrics metrics;
  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private int queuedPieces;
  private int queuedRefusals;
  /** Set while waiting for a slot: the job at the head, and the callback registered with the limiter. */
  private PieceJob waitingJob;
  private Runnable waitingCallback;
  private PieceUpload current;
  private PieceJob currentJob;
  private boolean helloSent;
  private boolean closing;

  UploadHandler(ContentStore store, UploadLimiter limiter, UploadClaims claims, ServerSettings settings,
      TransferMetrics metrics) {
    this.store = store;
    this.limiter = limiter;
    this.claims = claims;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** True while a response is being produced or waits to be: the connection is not idle. */
  boolean busy() {
    return current != null || waitingJob != null || !queue.isEmpty();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      return;
    }
    if (msg instanceof Frame.Hello) {
      sendHello();
      ctx.flush();
    } else if (msg instanceof Frame.GetPieces g) {
      int n = g.pieces().length;
      if (n > settings.maxPiecesPerRequest()) {
        refuse(new Frame.Error(g.requestId(), Protocol.NO_PIECE, WireStatus.BAD_REQUEST, "a request may name at most "
            + settings.maxPiecesPerRequest() + " pieces, this one names " + n + "; split it"));
      } else if (queuedPieces + n > settings.maxInFlightPerConnection()) {
        refuse(new Frame.Error(g.requestId(), Protocol.NO_PIECE, WireStatus.TOO_MANY_REQUESTS, "this connection "
            + "already has " + queuedPieces + " pieces in flight; the limit is "
            + settings.maxInFlightPerConnection() + ": wait for answers before asking for more"));
      } else {
        boolean claiming = claimsApply(g.id());
        for (int p : g.pieces()) {
          boolean claimed = claiming && claims.claim(g.id(), p, this);
          queue.add(new PieceJob(g.requestId(), g.id(), p, claimed, claiming && !claimed));
        }
        queuedPieces += n;
      }
      drain();
    } else if (msg instanceof Frame.GetBitmap g) {
      if (queuedPieces + 1 > settings.maxInFlightPerConnection()) {
        refuse(new Frame.Error(g.requestId(), Protocol.NO_PIECE, WireStatus.TOO_MANY_REQUESTS,
            "too many requests in flight on this connection; the limit is " + settings.maxInFlightPerConnection()));
      } else {
        queue.add(new BitmapJob(g.requestId(), g.id()));
        queuedPieces++;
      }
      drain();
    } else {
      log.warn("unexpected message {} on {}", msg, ctx.channel());
    }
  }

  private void refuse(Frame.Error error) {
    if (queuedRefusals >= MAX_QUEUED_REFUSALS) {
      log.info("closing {}: it keeps sending requests beyond its limits", ctx.channel().remoteAddress());
      closeNow();
      return;
    }
    queuedRefusals++;
    queue.add(new Refusal(error));
  }

  /** Produces responses until one has to wait (a piece being sent or waiting for a slot). */
  private void drain() {
    boolean wrote = false;
    while (current == null && waitingJob == null && !closing && !queue.isEmpty()) {
      Job job = queue.poll();
      if (job instanceof Refusal r) {
        queuedRefusals--;
        ctx.write(r.error());
        wrote = true;
      } else if (job instanceof BitmapJob b) {
        queuedPieces--;
        ctx.write(bitmap(b));
        wrote = true;
      } else if (job instanceof PieceJob p) {
        Frame.Error refusal = check(p);
        if (refusal != null) {
          queuedPieces--;
          release(p, false);
          ctx.write(refusal);
          wrote = true;
          continue;
        }
        Runnable callback = new Runnable() {
          @Override
          public void run() {
            ctx.executor().execute(() -> slotGranted(p, this));
          }
        };
        UploadLimiter.Grant grant = limiter.acquire(callback);
        if (grant == UploadLimiter.Grant.GRANTED) {
          startUpload(p);
        } else if (grant == UploadLimiter.Grant.QUEUED) {
          waitingJob = p;
          waitingCallback = callback;
        } else {
          queuedPieces--;
          release(p, false);
          metrics.uploadRejectedBusy();
          ctx.write(new Frame.Error(p.requestId(), p.piece(), WireStatus.BUSY, "all upload slots of this peer are "
              + "taken and its wait queue is full; fetch the piece from another parent or retry later"));
          wrote = true;
        }
      }
    }
    if (wrote) {
      ctx.flush();
    }
  }

  /** Whether this daemon sends each piece of {@code id} to one child at a time ({@link UploadClaims}). */
  private boolean claimsApply(io.rayfile.d7y.peer.storage.ContentId id) {
    try {
      return store.stat(id).map(i -> UploadClaims.applies(i.layout().pieceCount(), settings.uploadRate() > 0,
          i.complete())).orElse(false);
    } catch (RuntimeException e) {
      return false; // check() reports the store's trouble when the piece's turn comes
    }
  }

  /** Ends job {@code p}'s claim, if it holds one; {@code sent}: the piece went out whole. */
  private void release(PieceJob p, boolean sent) {
    if (p.claimed()) {
      claims.release(p.id(), p.piece(), this, sent);
    }
  }

  /** Why piece job {@code p} cannot be served, or null when it can. */
  private Frame.Error check(PieceJob p) {
    if (p.elsewhere()) {
      return new Frame.Error(p.requestId(), p.piece(), WireStatus.SENDING_ELSEWHERE, "piece " + p.piece() + " of "
          + p.id() + " is on its way to another peer; fetch other pieces from this one and that piece from there");
    }
    try {
      Optional<ContentInfo> info = store.stat(p.id());
      if (info.isEmpty()) {
        return new Frame.Error(p.requestId(), p.piece(), WireStatus.NOT_FOUND, p.id() + " is not held by this peer");
      }
      int count = info.get().layout().pieceCount();
      if (p.piece() < 0 || p.piece() >= count) {
        return new Frame.Error(p.requestId(), p.piece(), WireStatus.PIECE_OUT_OF_RANGE, "piece " + p.piece()
            + " is out of range: " + p.id() + " has " + count + " pieces");
      }
      if (!store.finishedPieces(p.id()).get(p.piece())) {
        return new Frame.Error(p.requestId(), p.piece(), WireStatus.PIECE_MISSING, "this peer does not have piece "
            + p.piece() + " of " + p.id() + " yet; ask for its bitmap and pick a piece it has");
      }
      return null;
    } catch (PeerException e) {
      return new Frame.Error(p.requestId(), p.piece(), WireStatus.forStoreError(e.code()), e.getMessage());
    } catch (RuntimeException e) {
      log.warn("checking piece {} of {} failed", p.piece(), p.id(), e);
      return new Frame.Error(p.requestId(), p.piece(), WireStatus.INTERNAL, "internal error: " + e);
    }
  }

  private void slotGranted(PieceJob p, Runnable callback) {
    if (waitingJob != p || waitingCallback != callback || closing) {
      limiter.release(); // the connection went away meanwhile
      release(p, false);
      return;
    }
    waitingJob = null;
    waitingCallback = null;
    startUpload(p);
    drain();
  }

  private void startUpload(PieceJob p) {
    queuedPieces--;
    PieceData data;
    try {
      data = store.readPiece(p.id(), p.piece());
    } catch (PeerException e) {
      limiter.release();
      release(p, false);
      ctx.writeAndFlush(new Frame.Error(p.requestId(), p.piece(), WireStatus.forStoreError(e.code()), e.getMessage()));
      return;
    } catch (RuntimeException e) {
      limiter.release();
      release(p, false);
      log.warn("reading piece {} of {} failed", p.piece(), p.id(), e);
      ctx.writeAndFlush(new Frame.Error(p.requestId(), p.piece(), WireStatus.INTERNAL, "internal error: " + e));
      return;
    }
    PieceUpload upload = new PieceUpload(ctx, p.requestId(), p.piece(), data, limiter.bucket(),
        settings.chunkSize(), metrics, this::uploadDone);
    current = upload;
    currentJob = p;
    metrics.uploadStarted();
    try {
      upload.start();
    } catch (IOException e) {
      current = null;
      currentJob = null;
      metrics.uploadFinished(false);
      limiter.release();
      release(p, false);
      ctx.writeAndFlush(new Frame.Error(p.requestId(), p.piece(), WireStatus.IO_ERROR,
          "cannot read piece " + p.piece() + " of " + p.id() + ": " + e.getMessage()));
    }
  }

  private void uploadDone(PieceUpload upload, boolean success) {
    if (current != upload) {
      return;
    }
    current = null;
    metrics.uploadFinished(success);
    limiter.release();
    release(currentJob, success);
    currentJob = null;
    if (success) {
      drain();
    }
  }

  private Frame bitmap(BitmapJob b) {
    try {
      Optional<ContentInfo> info = store.stat(b.id());
      if (info.isEmpty()) {
        return new Frame.Error(b.requestId(), Protocol.NO_PIECE, WireStatus.NOT_FOUND,
            b.id() + " is not held by this peer");
      }
      ContentInfo i = info.get();
      int count = i.layout().pieceCount();
      if (23 + (count + 7) / 8 > Protocol.MAX_CONTROL_FRAME) {
        return new Frame.Error(b.requestId(), Protocol.NO_PIECE, WireStatus.INTERNAL,
            b.id() + " has " + count + " pieces: too many for one bitmap frame");
      }
      BitSet finished = store.finishedPieces(b.id());
      return new Frame.Bitmap(b.requestId(), i.kind(), i.complete(), i.length(), i.layout().pieceLength(), count,
          finished.get(0, count));
    } catch (PeerException e) {
      return new Frame.Error(b.requestId(), Protocol.NO_PIECE, WireStatus.forStoreError(e.code()), e.getMessage());
    } catch (RuntimeException e) {
      log.warn("bitmap of {} failed", b.id(), e);
      return new Frame.Error(b.requestId(), Protocol.NO_PIECE, WireStatus.INTERNAL, "internal error: " + e);
    }
  }

  private void sendHello() {
    if (!helloSent) {
      helloSent = true;
      ctx.write(new Frame.Hello(Protocol.VERSION));
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // A client that does not read makes the channel unwritable: stop reading its requests until it catches up.
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    if (waitingCallback != null && limiter.cancel(waitingCallback)) {
      release(waitingJob, false);
      waitingJob = null;
      waitingCallback = null;
    }
    if (current != null) {
      current.abort();
    }
    clearQueue();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (closing) {
      return;
    }
    Throwable c = cause instanceof DecoderException && cause.getCause() instanceof FrameException f ? f : cause;
    if (c instanceof FrameException f) {
      log.debug("protocol violation from {}: {}", ctx.channel().remoteAddress(), f.getMessage());
      clearQueue();
      if (current == null) {
        // Nothing half-sent: the error frame can go out before closing.
        closing = true;
        sendHello();
        ctx.writeAndFlush(new Frame.Error(Protocol.CONNECTION_REQUEST_ID, Protocol.NO_PIECE, f.status(),
            f.getMessage())).addListener(ChannelFutureListener.CLOSE);
      } else {
        closeNow();
      }
    } else if (c instanceof WriteTimeoutException) {
      log.info("closing {}: it did not read for {}", ctx.channel().remoteAddress(), settings.writeTimeout());
      closeNow();
    } else if (c instanceof IOException) {
      log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), c.toString());
      closeNow();
    } else {
      log.warn("unexpected failure on {}; closing it", ctx.channel(), c);
      closeNow();
    }
  }

  private void closeNow() {
    closing = true;
    clearQueue();
    ctx.close();
  }

  /** Drops every queued job, ending the claims of the pieces among them. */
  private void clearQueue() {
    for (Job job : queue) {
      if (job instanceof PieceJob p) {
        release(p, false);
      }
    }
    queue.clear();
  }
}
