package io.rayfile.d7y.scheduler.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.rayfile.d7y.scheduler.FakeClock;
import io.rayfile.d7y.scheduler.SchedulerSettings;
import io.rayfile.d7y.scheduler.metrics.SchedulerMetrics;
import io.rayfile.d7y.scheduler.state.PeerScheduler;
import io.rayfile.d7y.scheduler.evaluate.LoadAwareEvaluator;
import io.rayfile.proto.v1.AnnounceContentsRequest;
import io.rayfile.proto.v1.AnnounceRequest;
import io.rayfile.proto.v1.AnnounceResponse;
import io.rayfile.proto.v1.ErrorDetail;
import io.rayfile.proto.v1.HeldContent;
import io.rayfile.proto.v1.HostHeartbeatRequest;
import io.rayfile.proto.v1.LeaveRequest;
import io.rayfile.proto.v1.ListPeersRequest;
import io.rayfile.proto.v1.ParentCandidate;
import io.rayfile.proto.v1.PeerContentMeta;
import io.rayfile.proto.v1.PeerDownloadState;
import io.rayfile.proto.v1.PeerHost;
import io.rayfile.proto.v1.PieceFinishedReport;
import io.rayfile.proto.v1.RegisterPeerRequest;
import io.rayfile.proto.v1.SchedulerGrpc;
import io.rayfile.proto.v1.StatContentRequest;
import io.rayfile.proto.v1.UnregisterContentsRequest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchedulerServiceTest {
  static final String CONTENT = "sha256:" + "12".repeat(32);
  static final PeerContentMeta ONE_PIECE =
      PeerContentMeta.newBuilder().setContentLength(1000).setPieceLength(4 << 20).setPieceCount(1).build();

  final FakeClock clock = new FakeClock();
  SchedulerMetrics metrics;
  PeerScheduler scheduler;
  Server server;
  ManagedChannel channel;
  SchedulerGrpc.SchedulerBlockingStub blocking;
  SchedulerGrpc.SchedulerStub async;

  @BeforeEach
  void start() throws Exception {
    SchedulerSettings settings = SchedulerSettings.builder().metricsPort(-1).build();
    metrics = new SchedulerMetrics();
    scheduler = new PeerScheduler(settings, clock, new LoadAwareEvaluator(settings), metrics);
    metrics.bind(scheduler);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new SchedulerService(scheduler, metrics)).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    blocking = SchedulerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    async = SchedulerGrpc.newStub(channel);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** The client side of one announce stream. */
  final class Stream implements StreamObserver<AnnounceResponse> {
    final BlockingQueue<AnnounceResponse> answers = new LinkedBlockingQueue<>();
    volatile Throwable error;
    volatile boolean completed;
    final StreamObserver<AnnounceRequest> requests = async.announce(this);

    @Override
    public void onNext(AnnounceResponse value) {
      answers.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      completed = true;
    }

    Stream send(AnnounceRequest r) {
      requests.onNext(r);
      return this;
    }

    AnnounceResponse next() throws InterruptedException {
      AnnounceResponse r = answers.poll(5, TimeUnit.SECONDS);
      assertNotNull(r, "no answer");
      return r;
    }
  }

  static PeerHost host(String id, String nodepool) {
    return PeerHost.newBuilder().setHostId(id).setHostname(id).setIp("127.0.0.1").setDataPort(7000)
        .setRegion("r1").setNodepool(nodepool).setUploadSlots(4).build();
  }

  static AnnounceRequest register(String content, String peer, PeerHost host, boolean source) {
    return AnnounceRequest.newBuilder().setRegister(RegisterPeerRequest.newBuilder()
        .setContentId(content).setPeerId(peer).setHost(host).setHasSource(source)).build();
  }

  void announceSeed(String hostId, PeerContentMeta meta) {
    blocking.announceContents(AnnounceContentsRequest.newBuilder().setHost(host(hostId, "np").toBuilder()
            .setSeedHost(true))
        .addContents(HeldContent.newBuilder().setContentId(CONTENT).setMeta(meta)).build());
  }

  @Test
  void smallContentRegisterAnswerCarriesTheSeedAsParent() throws Exception {
    announceSeed("seed-host", ONE_PIECE);
    Stream s = new Stream().send(register(CONTENT, "p1", host("h1", "np"), false));
    AnnounceResponse r = s.next();
    assertTrue(r.hasCandidateParents(), r.toString());
    ParentCandidate p = r.getCandidateParents().getParents(0);
    assertEquals("seed:seed-host", p.getPeerId());
    assertEquals("127.0.0.1", p.getIp());
    assertEquals(7000, p.getDataPort());
    assertTrue(p.getIsSeed());
    assertEquals(1, p.getFinishedPieceCount());
    assertEquals(ONE_PIECE, r.getCandidateParents().getMeta());
    assertEquals(1.0, metrics.decisions("parents"));
  }

  @Test
  void waiterIsPushedParentsWhenTheOriginReaderHasAPiece() throws Exception {
    Stream a = new Stream().send(register(CONTENT, "a", host("ha", "np"), true));
    assertTrue(a.next().hasBackToSource());
    Stream b = new Stream().send(register(CONTENT, "b", host("hb", "np"), true));
    assertTrue(b.next().hasWait());
    a.send(AnnounceRequest.newBuilder().setPieceFinished(PieceFinishedReport.newBuilder().addPieceNumbers(0))
        .build());
    AnnounceResponse pushed = b.next();
    assertEquals("a", pushed.getCandidateParents().getParents(0).getPeerId());
    assertEquals(1, pushed.getCandidateParents().getParents(0).getFinishedPieces().byteAt(0));

    var peers = blocking.listPeers(ListPeersRequest.newBuilder().setContentId(CONTENT).build()).getPeersList();
    assertEquals(PeerDownloadState.PEER_DOWNLOAD_STATE_BACK_TO_SOURCE, peers.get(0).getState());
    assertEquals(PeerDownloadState.PEER_DOWNLOAD_STATE_RUNNING, peers.get(1).getState());
    assertEquals(1, blocking.statContent(StatContentRequest.newBuilder().setContentId(CONTENT).build())
        .getBackToSourceCount());
  }

  @Test
  void malformedContentIdClosesTheStreamWithInvalidArgument() throws Exception {
    Stream s = new Stream().send(register("md5:abc", "p", host("h", "np"), true));
    assertStatus(s, Status.Code.INVALID_ARGUMENT);
    assertEquals(0, scheduler.peerCount());
  }

  @Test
  void firstMessageMustBeRegister() throws Exception {
    Stream s = new Stream().send(AnnounceRequest.newBuilder().setLeave(LeaveRequest.getDefaultInstance()).build());
    assertStatus(s, Status.Code.INVALID_ARGUMENT);
    Stream empty = new Stream().send(AnnounceRequest.getDefaultInstance());
    assertStatus(empty, Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void negativeLengthsAndBadHostsAreRejected() throws Exception {
    AnnounceRequest negative = AnnounceRequest.newBuilder().setRegister(RegisterPeerRequest.newBuilder()
        .setContentId(CONTENT).setPeerId("p").setHost(host("h", "np"))
        .setMeta(PeerContentMeta.newBuilder().setContentLength(-5).setPieceLength(-1).setPieceCount(-1))).build();
    assertStatus(new Stream().send(negative), Status.Code.INVALID_ARGUMENT);
    PeerHost badPort = host("h", "np").toBuilder().setDataPort(0).build();
    assertStatus(new Stream().send(register(CONTENT, "p", badPort, true)), Status.Code.INVALID_ARGUMENT);
    assertStatus(new Stream().send(register(CONTENT, "", host("h", "np"), true)), Status.Code.INVALID_ARGUMENT);
    AnnounceRequest noHost = AnnounceRequest.newBuilder().setRegister(RegisterPeerRequest.newBuilder()
        .setContentId(CONTENT).setPeerId("p")).build();
    assertStatus(new Stream().send(noHost), Status.Code.INVALID_ARGUMENT);
    AnnounceRequest hugeBitmap = AnnounceRequest.newBuilder().setRegister(RegisterPeerRequest.newBuilder()
        .setContentId(CONTENT).setPeerId("p").setHost(host("h", "np")).setMeta(ONE_PIECE)
        .setFinishedPieces(ByteString.copyFrom(new byte[] {0, 1}))).build();
    assertStatus(new Stream().send(hugeBitmap), Status.Code.INVALID_ARGUMENT);
    assertEquals(0, scheduler.peerCount());
  }

  @Test
  void badReportsAfterRegisterGetErrorAnswersAndTheStreamGoesOn() throws Exception {
    announceSeed("s", ONE_PIECE);
    Stream s = new Stream().send(register(CONTENT, "p", host("h", "np"), false));
    assertTrue(s.next().hasCandidateParents());
    s.send(AnnounceRequest.newBuilder().setPieceFinished(PieceFinishedReport.newBuilder().addPieceNumbers(7))
        .build());
    ErrorDetail e = s.next().getError();
    assertEquals("INVALID_ARGUMENT", e.getCode());
    s.send(register(CONTENT, "p", host("h", "np"), false));
    assertEquals("FAILED_PRECONDITION", s.next().getError().getCode());
    s.send(AnnounceRequest.getDefaultInstance());
    assertEquals("INVALID_ARGUMENT", s.next().getError().getCode());
    // Leave, then report: the peer is unknown now.
    s.send(AnnounceRequest.newBuilder().setLeave(LeaveRequest.getDefaultInstance()).build());
    s.send(AnnounceRequest.newBuilder().setPieceFinished(PieceFinishedReport.newBuilder().addPieceNumbers(0))
        .build());
    assertEquals("NOT_FOUND", s.next().getError().getCode());
    assertNull(s.error);
    s.requests.onCompleted();
  }

  @Test
  void unaryCallsValidateTheirInput() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> blocking.statContent(StatContentRequest.newBuilder().setContentId("nope").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("INVALID_ARGUMENT", e.getTrailers().get(GrpcErrors.DETAIL_KEY).getCode());
    e = assertThrows(StatusRuntimeException.class,
        () -> blocking.statContent(StatContentRequest.newBuilder().setContentId(CONTENT).build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    e = assertThrows(StatusRuntimeException.class,
        () -> blocking.announceContents(AnnounceContentsRequest.getDefaultInstance()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    e = assertThrows(StatusRuntimeException.class, () -> blocking.announceContents(AnnounceContentsRequest
        .newBuilder().setHost(host("h", "np")).addContents(HeldContent.newBuilder().setContentId(CONTENT)).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    e = assertThrows(StatusRuntimeException.class,
        () -> blocking.hostHeartbeat(HostHeartbeatRequest.getDefaultInstance()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    e = assertThrows(StatusRuntimeException.class, () -> blocking.unregisterContents(
        UnregisterContentsRequest.newBuilder().setHostId("h").addContentIds("../etc").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @Test
  void seedLifecycleThroughUnaryCalls() {
    assertEquals(false, blocking.hostHeartbeat(HostHeartbeatRequest.newBuilder().setHostId("s").build()).getKnown());
    announceSeed("s", ONE_PIECE);
    assertTrue(blocking.hostHeartbeat(HostHeartbeatRequest.newBuilder().setHostId("s").build()).getKnown());
    assertEquals(1, blocking.statContent(StatContentRequest.newBuilder().setContentId(CONTENT).build())
        .getSeedCount());
    assertEquals(1, blocking.unregisterContents(UnregisterContentsRequest.newBuilder().setHostId("s")
        .addContentIds(CONTENT).build()).getRemoved());
    assertEquals(0, scheduler.peerCount());
  }

  @Test
  void cancelledStreamDropsTheUnfinishedPeer() throws Exception {
    Stream s = new Stream().send(register(CONTENT, "p", host("h", "np"), true));
    assertTrue(s.next().hasBackToSource());
    s.requests.onError(new RuntimeException("client gone"));
    assertEquals(0, scheduler.peerCount());
  }

  private static void assertStatus(Stream s, Status.Code code) throws InterruptedException {
    for (int i = 0; i < 500 && s.error == null; i++) {
      Thread.sleep(10); // directExecutor: normally already there
    }
    assertNotNull(s.error, "stream was not closed with an error");
    Status st = Status.fromThrowable(s.error);
    assertEquals(code, st.getCode(), String.valueOf(st));
    ErrorDetail d = ((StatusRuntimeException) s.error).getTrailers().get(GrpcErrors.DETAIL_KEY);
    assertEquals(code.name(), d.getCode());
  }
}
