package io.rayfile.d7y.scheduler.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.rayfile.d7y.scheduler.SchedulerErrorCode;
import io.rayfile.d7y.scheduler.SchedulerException;
import io.rayfile.d7y.scheduler.state.ContentMeta;
import io.rayfile.d7y.scheduler.state.Decision;
import io.rayfile.d7y.scheduler.state.PeerKey;
import io.rayfile.d7y.scheduler.state.PeerScheduler;
import io.rayfile.d7y.scheduler.state.PeerSink;
import io.rayfile.d7y.scheduler.state.SchedulerEvents;
import io.rayfile.proto.v1.AnnounceRequest;
import io.rayfile.proto.v1.AnnounceResponse;
import io.rayfile.proto.v1.PieceFailedReport;
import io.rayfile.proto.v1.PieceFinishedReport;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One announce stream = one download. Requests arrive serially (gRPC guarantees it per call); answers are pushed
 * from any thread through {@link #send}, which serializes them. A protocol violation before registration closes
 * the stream with a status; a bad report afterwards gets an {@code error} answer and the stream goes on.
 */
final class AnnounceStream implements StreamObserver<AnnounceRequest>, PeerSink {
  private static final Logger log = LoggerFactory.getLogger(AnnounceStream.class);

  private final PeerScheduler scheduler;
  private final SchedulerEvents events;
  private final ServerCallStreamObserver<AnnounceResponse> out;
  private volatile PeerKey key;
  private boolean closed;

  AnnounceStream(PeerScheduler scheduler, SchedulerEvents events, ServerCallStreamObserver<AnnounceResponse> out) {
    this.scheduler = scheduler;
    this.events = events;
    this.out = out;
    out.setOnCancelHandler(this::ended);
  }

  @Override
  public void onNext(AnnounceRequest req) {
    try {
      if (key == null) {
        if (req.getKindCase() != AnnounceRequest.KindCase.REGISTER) {
          throw SchedulerException.invalid("the first message of an announce stream must be register, got "
              + req.getKindCase());
        }
        key = scheduler.register(WireMapping.registration(req.getRegister()), this);
        return;
      }
      handle(req);
    } catch (SchedulerException e) {
      if (key == null) {
        fail(e);
      } else {
        events.decision("error");
        send(new Decision.Failure(e.code(), e.getMessage()));
      }
    } catch (RuntimeException e) {
      log.error("announce stream of {} failed", key, e);
      fail(e);
      ended();
    }
  }

  private void handle(AnnounceRequest req) {
    PeerKey k = key;
    switch (req.getKindCase()) {
      case REGISTER -> throw new SchedulerException(SchedulerErrorCode.FAILED_PRECONDITION,
          "this stream already registered peer " + k.peerId() + "; open a new stream per download");
      case PIECE_FINISHED -> {
        PieceFinishedReport r = req.getPieceFinished();
        if (r.getPieceNumbersCount() > 1_000_000) {
          throw SchedulerException.invalid("piece_finished names " + r.getPieceNumbersCount() + " pieces; batch "
              + "at most 1000000 per message");
        }
        int[] pieces = r.getPieceNumbersList().stream().mapToInt(Integer::intValue).toArray();
        scheduler.pieceFinished(k, pieces, r.getParentPeerId());
      }
      case PIECE_FAILED -> {
        PieceFailedReport r = req.getPieceFailed();
        scheduler.pieceFailed(k, r.getPieceNumber(), r.getParentPeerId(), r.getReason());
      }
      case CONTENT_META -> scheduler.contentMeta(k, WireMapping.meta(req.getContentMeta()));
      case DOWNLOAD_FINISHED -> {
        ContentMeta meta = req.getDownloadFinished().hasMeta()
            ? WireMapping.meta(req.getDownloadFinished().getMeta()) : null;
        scheduler.downloadFinished(k, meta);
      }
      case DOWNLOAD_FAILED -> scheduler.downloadFailed(k, req.getDownloadFailed().getReason(),
          req.getDownloadFailed().getSourceError());
      case RESCHEDULE -> scheduler.reschedule(k, req.getReschedule().getBlocklistPeerIdsList());
      case LEAVE -> scheduler.leave(k);
      case HEARTBEAT -> scheduler.heartbeat(k);
      case KIND_NOT_SET -> throw SchedulerException.invalid("empty announce request: set one of its fields");
    }
  }

  @Override
  public void onError(Throwable t) {
    ended();
  }

  @Override
  public void onCompleted() {
    ended();
    synchronized (this) {
      if (!closed) {
        closed = true;
        out.onCompleted();
      }
    }
  }

  private void ended() {
    PeerKey k = key;
    if (k != null) {
      scheduler.streamClosed(k);
    }
  }

  @Override
  public synchronized void send(Decision decision) {
    if (closed || out.isCancelled()) {
      return;
    }
    try {
      out.onNext(WireMapping.response(decision));
    } catch (RuntimeException e) {
      // The call was cancelled between the check and the write: the peer is gone, its end is handled elsewhere.
      log.debug("dropping answer for {}: {}", key, e.toString());
    }
  }

  private synchronized void fail(Throwable e) {
    if (closed || out.isCancelled()) {
      return;
    }
    closed = true;
    events.decision("error");
    try {
      out.onError(GrpcErrors.toStatus(e));
    } catch (RuntimeException ignored) {
      // already cancelled
    }
  }
}
