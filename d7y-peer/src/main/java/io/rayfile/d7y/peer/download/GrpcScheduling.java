package io.rayfile.d7y.peer.download;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.PieceLayout;
import io.rayfile.proto.v1.AnnounceContentsRequest;
import io.rayfile.proto.v1.AnnounceRequest;
import io.rayfile.proto.v1.AnnounceResponse;
import io.rayfile.proto.v1.DownloadFailedReport;
import io.rayfile.proto.v1.DownloadFinishedReport;
import io.rayfile.proto.v1.HeartbeatRequest;
import io.rayfile.proto.v1.HeldContent;
import io.rayfile.proto.v1.HostHeartbeatRequest;
import io.rayfile.proto.v1.LeaveHostRequest;
import io.rayfile.proto.v1.LeaveRequest;
import io.rayfile.proto.v1.ParentCandidate;
import io.rayfile.proto.v1.PeerContentMeta;
import io.rayfile.proto.v1.PeerHost;
import io.rayfile.proto.v1.PieceFailedReport;
import io.rayfile.proto.v1.PieceFinishedReport;
import io.rayfile.proto.v1.RegisterPeerRequest;
import io.rayfile.proto.v1.RescheduleRequest;
import io.rayfile.proto.v1.SchedulerGrpc;
import io.rayfile.proto.v1.UnregisterContentsRequest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Scheduling} over gRPC to one or more scheduler instances. The announce stream of a content goes to the
 * instance {@link SchedulerRing} picks for it; if that one does not answer, to the next one. Held contents are
 * announced to both of those instances. Wire types stay in this class.
 */
public final class GrpcScheduling implements Scheduling {
  private static final Logger log = LoggerFactory.getLogger(GrpcScheduling.class);
  private static final long UNARY_DEADLINE_MS = 5_000;
  /**
   * Instances a content's announce stream may go to: its owner, then the next in ring order. Held copies are
   * announced to the same instances, so the fallback instance knows the holders when the owner is gone.
   */
  static final int FAILOVER = 2;

  private final SchedulerRing ring;
  private final PeerIdentity self;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  /** How long newly held contents wait to be announced together (a task-heavy node imports hundreds a second). */
  static final long ANNOUNCE_BATCH_MS = 10;
  private final java.util.concurrent.ScheduledExecutorService batcher =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rayfile-announce");
        t.setDaemon(true);
        return t;
      });
  private List<ContentInfo> toAnnounce = new ArrayList<>();

  public GrpcScheduling(List<HostPort> schedulers, PeerIdentity self) {
    this.ring = SchedulerRing.of(schedulers.stream().map(HostPort::toString).toList());
    this.self = self;
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> {
      HostPort hp = HostPort.parse(a);
      // gRPC's executor, not directExecutor: answers on the I/O thread measured no faster (bench small-files C=1
      // P50 10.0 vs 9.3 ms, C=32 194 vs 176-190 files/s, one session). The demo's origin reads once blamed on it came
      // from the scheduler's busy-holder rule (fixed there).
      return NettyChannelBuilder.forAddress(hp.host(), hp.port()).usePlaintext().build();
    });
  }

  @Override
  public AnnounceSession announce(AnnounceSpec spec, Consumer<Decision> decisions) {
    Session s = new Session(spec, ring.pickInOrder(spec.key(), FAILOVER), decisions);
    s.connect(0);
    return s;
  }

  @Override
  public void announceContents(Collection<ContentInfo> held, boolean replaceAll) {
    if (replaceAll) {
      send(held, true);
      return;
    }
    boolean first;
    synchronized (this) {
      first = toAnnounce.isEmpty();
      toAnnounce.addAll(held);
    }
    if (first) {
      batcher.schedule(this::flushAnnounces, ANNOUNCE_BATCH_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void flushAnnounces() {
    List<ContentInfo> batch;
    synchronized (this) {
      batch = toAnnounce;
      toAnnounce = new ArrayList<>();
    }
    if (!batch.isEmpty()) {
      send(batch, false);
    }
  }

  private void send(Collection<ContentInfo> held, boolean replaceAll) {
    Map<String, List<HeldContent>> byInstance = new HashMap<>();
    if (replaceAll) {
      ring.addresses().forEach(a -> byInstance.put(a, new ArrayList<>()));
    }
    for (ContentInfo c : held) {
      String key = c.displayId();
      HeldContent h = HeldContent.newBuilder().setContentId(key).setMeta(meta(c.layout(), Optional.of(c.kind())))
          .build();
      for (String address : ring.pickInOrder(key, FAILOVER)) {
        byInstance.computeIfAbsent(address, a -> new ArrayList<>()).add(h);
      }
    }
    // Asynchronous: an import must not wait for the scheduler (a task's output import is on its critical path).
    // A lost announce is repaired by the next full announce after a heartbeat finds the host unknown, and a
    // downloader that asks meanwhile waits for a holder or uses the seeds it was given.
    byInstance.forEach((address, contents) -> SchedulerGrpc.newStub(channel(address))
        .withDeadlineAfter(UNARY_DEADLINE_MS, TimeUnit.MILLISECONDS)
        .announceContents(AnnounceContentsRequest.newBuilder().setHost(host()).addAllContents(contents)
            .setReplaceAll(replaceAll).build(), new io.grpc.stub.StreamObserver<>() {
              @Override
              public void onNext(io.rayfile.proto.v1.AnnounceContentsResponse value) {}

              @Override
              public void onError(Throwable t) {
                log.warn("could not announce {} contents to scheduler {}: {}", contents.size(), address,
                    io.grpc.Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {}
            }));
  }

  @Override
  public void unregisterContents(Collection<String> keys) {
    Map<String, List<String>> byInstance = new HashMap<>();
    keys.forEach(k -> ring.pickInOrder(k, FAILOVER)
        .forEach(a -> byInstance.computeIfAbsent(a, x -> new ArrayList<>()).add(k)));
    byInstance.forEach((address, ids) -> {
      try {
        SchedulerGrpc.newBlockingStub(channel(address)).withDeadlineAfter(UNARY_DEADLINE_MS, TimeUnit.MILLISECONDS)
            .unregisterContents(UnregisterContentsRequest.newBuilder().setHostId(self.hostId()).addAllContentIds(ids)
                .build());
      } catch (StatusRuntimeException e) {
        log.warn("could not unregister {} contents at scheduler {}: {}", ids.size(), address, e.getStatus());
      }
    });
  }

  @Override
  public boolean heartbeat() {
    boolean unknown = false;
    for (String address : ring.addresses()) {
      try {
        unknown |= !SchedulerGrpc.newBlockingStub(channel(address))
            .withDeadlineAfter(UNARY_DEADLINE_MS, TimeUnit.MILLISECONDS)
            .hostHeartbeat(HostHeartbeatRequest.newBuilder().setHostId(self.hostId()).build()).getKnown();
      } catch (StatusRuntimeException e) {
        log.debug("heartbeat to scheduler {} failed: {}", address, e.getStatus());
      }
    }
    return unknown;
  }

  @Override
  public void close() {
    batcher.shutdownNow();
    for (String address : ring.addresses()) {
      try {
        SchedulerGrpc.newBlockingStub(channel(address)).withDeadlineAfter(1_000, TimeUnit.MILLISECONDS)
            .leaveHost(LeaveHostRequest.newBuilder().setHostId(self.hostId()).build());
      } catch (StatusRuntimeException e) {
        log.debug("leave at scheduler {} failed: {}", address, e.getStatus());
      }
    }
    channels.values().forEach(ManagedChannel::shutdownNow);
  }

  private PeerHost host() {
    return PeerHost.newBuilder()
        .setHostId(self.hostId()).setHostname(self.hostname()).setIp(self.ip()).setDataPort(self.dataPort())
        .setRegion(self.region()).setZone(self.zone()).setNodepool(self.nodepool())
        .setUploadSlots(self.uploadSlots()).setUploadBandwidth(self.uploadBandwidth())
        .build();
  }

  static PeerContentMeta meta(PieceLayout layout, Optional<ContentKind> kind) {
    return PeerContentMeta.newBuilder()
        .setContentLength(layout.length())
        .setPieceLength(layout.pieceLength())
        .setPieceCount(layout.pieceCount())
        .setKind(kind.map(k -> k.ordinal() + 1).orElse(0))
        .build();
  }

  static Optional<Decision.Meta> meta(boolean present, PeerContentMeta m) {
    if (!present) {
      return Optional.empty();
    }
    PieceLayout layout = m.getContentLength() == 0 || m.getPieceLength() <= 0
        ? new PieceLayout(m.getContentLength(), PieceLayout.MIN_PIECE)
        : new PieceLayout(m.getContentLength(), m.getPieceLength());
    ContentKind[] kinds = ContentKind.values();
    Optional<ContentKind> kind = m.getKind() >= 1 && m.getKind() <= kinds.length
        ? Optional.of(kinds[m.getKind() - 1]) : Optional.empty();
    return Optional.of(new Decision.Meta(layout, kind));
  }

  /** Maps an answer; a malformed one (bad address, impossible layout) becomes a refusal naming the scheduler. */
  static Decision checked(AnnounceResponse r, String scheduler) {
    try {
      return decision(r);
    } catch (RuntimeException e) {
      return new Decision.Refused(ErrorCode.INVALID_ARGUMENT, "scheduler " + scheduler + " sent an invalid answer ("
          + e.getMessage() + "); check that it runs the same RayFile version");
    }
  }

  static Decision decision(AnnounceResponse r) {
    return switch (r.getKindCase()) {
      case CANDIDATE_PARENTS -> new Decision.Parents(parents(r.getCandidateParents().getParentsList()),
          meta(r.getCandidateParents().hasMeta(), r.getCandidateParents().getMeta()));
      case BACK_TO_SOURCE -> new Decision.BackToSource(r.getBackToSource().getReason(),
          meta(r.getBackToSource().hasMeta(), r.getBackToSource().getMeta()),
          parents(r.getBackToSource().getSourcesList()));
      case EMPTY_CONTENT -> new Decision.Empty(meta(r.getEmptyContent().hasMeta(), r.getEmptyContent().getMeta()));
      case WAIT -> new Decision.Wait(r.getWait().getReason());
      case ERROR -> new Decision.Refused(code(r.getError().getCode()), r.getError().getMessage());
      case KIND_NOT_SET -> new Decision.Refused(ErrorCode.INTERNAL, "empty answer from the scheduler");
    };
  }

  private static List<ParentInfo> parents(List<ParentCandidate> candidates) {
    List<ParentInfo> parents = new ArrayList<>();
    for (ParentCandidate c : candidates) {
      Optional<BitSet> pieces = c.getIsSeed() || c.getFinishedPieces().isEmpty()
          ? Optional.empty() : Optional.of(BitSet.valueOf(c.getFinishedPieces().toByteArray()));
      parents.add(new ParentInfo(c.getPeerId(), new HostPort(c.getIp(), c.getDataPort()), c.getIsSeed(), pieces));
    }
    return parents;
  }

  private static ErrorCode code(String name) {
    try {
      return ErrorCode.valueOf(name);
    } catch (IllegalArgumentException e) {
      return "FAILED_PRECONDITION".equals(name) ? ErrorCode.INVALID_ARGUMENT : ErrorCode.INTERNAL;
    }
  }

  /** One announce stream, failing over to the next instance until the first answer arrives. */
  private final class Session implements AnnounceSession {
    private final AnnounceSpec spec;
    private final List<String> instances;
    private final Consumer<Decision> decisions;
    private StreamObserver<AnnounceRequest> requests;
    private boolean answered;
    private boolean closed;

    Session(AnnounceSpec spec, List<String> instances, Consumer<Decision> decisions) {
      this.spec = spec;
      this.instances = instances;
      this.decisions = decisions;
    }

    synchronized void connect(int index) {
      String address = instances.get(index);
      RegisterPeerRequest.Builder reg = RegisterPeerRequest.newBuilder()
          .setContentId(spec.key()).setPeerId(spec.peerId()).setHost(host())
          .setFinishedPieces(com.google.protobuf.ByteString.copyFrom(spec.finished().toByteArray()))
          .setHasSource(spec.hasSource()).setUrl(spec.url());
      spec.layout().ifPresent(l -> reg.setMeta(GrpcScheduling.meta(l, spec.kind())));
      requests = SchedulerGrpc.newStub(channel(address)).announce(new ClientResponseObserver<AnnounceRequest,
          AnnounceResponse>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<AnnounceRequest> call) {}

        @Override
        public void onNext(AnnounceResponse value) {
          synchronized (Session.this) {
            answered = true;
          }
          decisions.accept(checked(value, address));
        }

        @Override
        public void onError(Throwable t) {
          boolean retry;
          synchronized (Session.this) {
            if (closed) {
              return;
            }
            retry = !answered && index + 1 < instances.size();
          }
          if (retry) {
            log.warn("scheduler {} did not take the announce of {} ({}); trying {}", address, spec.key(), t.toString(),
                instances.get(index + 1));
            connect(index + 1);
          } else {
            decisions.accept(new Decision.Lost("announce stream to scheduler " + address + " ended: " + t));
          }
        }

        @Override
        public void onCompleted() {
          synchronized (Session.this) {
            if (closed) {
              return;
            }
          }
          decisions.accept(new Decision.Lost("scheduler " + address + " closed the announce stream"));
        }
      });
      requests.onNext(AnnounceRequest.newBuilder().setRegister(reg).build());
    }

    private synchronized void send(AnnounceRequest r) {
      if (closed || requests == null) {
        return;
      }
      try {
        requests.onNext(r);
      } catch (RuntimeException e) {
        log.debug("announce report dropped: {}", e.toString());
      }
    }

    @Override
    public void pieceFinished(int piece, String parentPeerId) {
      send(AnnounceRequest.newBuilder().setPieceFinished(PieceFinishedReport.newBuilder()
          .addPieceNumbers(piece).setParentPeerId(parentPeerId)).build());
    }

    @Override
    public void pieceFailed(int piece, String parentPeerId, String reason) {
      send(AnnounceRequest.newBuilder().setPieceFailed(PieceFailedReport.newBuilder()
          .setPieceNumber(piece).setParentPeerId(parentPeerId).setReason(reason)).build());
    }

    @Override
    public void meta(PieceLayout layout) {
      send(AnnounceRequest.newBuilder().setContentMeta(GrpcScheduling.meta(layout, spec.kind())).build());
    }

    @Override
    public void reschedule(Set<String> blocklist, String reason) {
      send(AnnounceRequest.newBuilder().setReschedule(RescheduleRequest.newBuilder()
          .addAllBlocklistPeerIds(blocklist).setReason(reason)).build());
    }

    @Override
    public void heartbeat() {
      send(AnnounceRequest.newBuilder().setHeartbeat(HeartbeatRequest.getDefaultInstance()).build());
    }

    @Override
    public void finished(PieceLayout layout) {
      send(AnnounceRequest.newBuilder().setDownloadFinished(DownloadFinishedReport.newBuilder()
          .setMeta(GrpcScheduling.meta(layout, spec.kind()))).build());
    }

    @Override
    public void failed(String reason, boolean sourceError) {
      send(AnnounceRequest.newBuilder().setDownloadFailed(DownloadFailedReport.newBuilder()
          .setReason(reason).setSourceError(sourceError)).build());
      send(AnnounceRequest.newBuilder().setLeave(LeaveRequest.getDefaultInstance()).build());
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (requests != null) {
        try {
          requests.onCompleted();
        } catch (RuntimeException e) {
          log.debug("closing announce stream: {}", e.toString());
        }
      }
    }
  }
}
