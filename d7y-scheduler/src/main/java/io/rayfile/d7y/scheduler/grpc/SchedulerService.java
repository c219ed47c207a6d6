package io.rayfile.d7y.scheduler.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.rayfile.d7y.scheduler.SchedulerErrorCode;
import io.rayfile.d7y.scheduler.SchedulerException;
import io.rayfile.d7y.scheduler.state.ContentRef;
import io.rayfile.d7y.scheduler.state.HeldContent;
import io.rayfile.d7y.scheduler.state.PeerScheduler;
import io.rayfile.d7y.scheduler.state.SchedulerEvents;
import io.rayfile.proto.v1.AnnounceContentsRequest;
import io.rayfile.proto.v1.AnnounceContentsResponse;
import io.rayfile.proto.v1.AnnounceRequest;
import io.rayfile.proto.v1.AnnounceResponse;
import io.rayfile.proto.v1.HostHeartbeatRequest;
import io.rayfile.proto.v1.HostHeartbeatResponse;
import io.rayfile.proto.v1.LeaveHostRequest;
import io.rayfile.proto.v1.LeaveHostResponse;
import io.rayfile.proto.v1.ListPeersRequest;
import io.rayfile.proto.v1.ListPeersResponse;
import io.rayfile.proto.v1.SchedulerGrpc;
import io.rayfile.proto.v1.StatContentRequest;
import io.rayfile.proto.v1.StatContentResponse;
import io.rayfile.proto.v1.UnregisterContentsRequest;
import io.rayfile.proto.v1.UnregisterContentsResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code rayfile.v1.Scheduler} service. Bind it to any gRPC server (netty, in-process). */
public final class SchedulerService extends SchedulerGrpc.SchedulerImplBase {
  private static final Logger log = LoggerFactory.getLogger(SchedulerService.class);
  /** Bounds one AnnounceContents / UnregisterContents call. */
  static final int MAX_CONTENTS_PER_CALL = 100_000;

  private final PeerScheduler scheduler;
  private final SchedulerEvents events;

  public SchedulerService(PeerScheduler scheduler, SchedulerEvents events) {
    this.scheduler = scheduler;
    this.events = events;
  }

  @Override
  public StreamObserver<AnnounceRequest> announce(StreamObserver<AnnounceResponse> responseObserver) {
    return new AnnounceStream(scheduler, events, (ServerCallStreamObserver<AnnounceResponse>) responseObserver);
  }

  @Override
  public void announceContents(AnnounceContentsRequest req, StreamObserver<AnnounceContentsResponse> out) {
    unary(out, () -> {
      if (!req.hasHost()) {
        throw SchedulerException.invalid("AnnounceContents needs host (host id, ip, data port)");
      }
      checkCount(req.getContentsCount());
      List<HeldContent> held = new ArrayList<>(req.getContentsCount());
      for (io.rayfile.proto.v1.HeldContent h : req.getContentsList()) {
        held.add(WireMapping.held(h));
      }
      int n = scheduler.announceContents(WireMapping.host(req.getHost()), held, req.getReplaceAll());
      return AnnounceContentsResponse.newBuilder().setAccepted(n).build();
    });
  }

  @Override
  public void unregisterContents(UnregisterContentsRequest req, StreamObserver<UnregisterContentsResponse> out) {
    unary(out, () -> {
      checkCount(req.getContentIdsCount());
      List<ContentRef> refs = new ArrayList<>();
      for (String id : req.getContentIdsList()) {
        refs.add(ContentRef.parse(id));
      }
      int n = scheduler.unregisterContents(req.getHostId(), refs);
      return UnregisterContentsResponse.newBuilder().setRemoved(n).build();
    });
  }

  @Override
  public void hostHeartbeat(HostHeartbeatRequest req, StreamObserver<HostHeartbeatResponse> out) {
    unary(out, () -> HostHeartbeatResponse.newBuilder().setKnown(scheduler.hostHeartbeat(req.getHostId())).build());
  }

  @Override
  public void leaveHost(LeaveHostRequest req, StreamObserver<LeaveHostResponse> out) {
    unary(out, () -> LeaveHostResponse.newBuilder().setKnown(scheduler.leaveHost(req.getHostId())).build());
  }

  @Override
  public void statContent(StatContentRequest req, StreamObserver<StatContentResponse> out) {
    unary(out, () -> {
      ContentRef ref = ContentRef.parse(req.getContentId());
      return scheduler.stat(ref).map(WireMapping::stat).orElseThrow(() -> new SchedulerException(
          SchedulerErrorCode.NOT_FOUND, "no peer of " + ref + " is known to this scheduler"));
    });
  }

  @Override
  public void listPeers(ListPeersRequest req, StreamObserver<ListPeersResponse> out) {
    unary(out, () -> {
      ContentRef ref = ContentRef.parse(req.getContentId());
      ListPeersResponse.Builder b = ListPeersResponse.newBuilder();
      scheduler.listPeers(ref).forEach(p -> b.addPeers(WireMapping.peer(p)));
      return b.build();
    });
  }

  private static void checkCount(int n) {
    if (n > MAX_CONTENTS_PER_CALL) {
      throw SchedulerException.invalid(n + " contents in one call; send at most " + MAX_CONTENTS_PER_CALL
          + " per call");
    }
  }

  private static <T> void unary(StreamObserver<T> out, Supplier<T> body) {
    T result;
    try {
      result = body.get();
    } catch (SchedulerException e) {
      out.onError(GrpcErrors.toStatus(e));
      return;
    } catch (RuntimeException e) {
      log.error("scheduler call failed", e);
      out.onError(GrpcErrors.toStatus(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }
}
