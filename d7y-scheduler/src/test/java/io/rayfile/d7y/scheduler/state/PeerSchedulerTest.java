package io.rayfile.d7y.scheduler.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.scheduler.FakeClock;
import io.rayfile.d7y.scheduler.SchedulerErrorCode;
import io.rayfile.d7y.scheduler.SchedulerException;
import io.rayfile.d7y.scheduler.SchedulerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PeerSchedulerTest {
  static final ContentRef C = ContentRef.parse("sha256:" + "ab".repeat(32));
  static final ContentMeta META = ContentMeta.of(100L << 20, 4 << 20); // 25 pieces

  final FakeClock clock = new FakeClock();
  final SchedulerSettings settings = SchedulerSettings.builder().metricsPort(-1).build();
  final PeerScheduler s = PeerScheduler.create(settings, clock);

  static final class Sink implements PeerSink {
    final List<Decision> got = new ArrayList<>();

    @Override
    public void send(Decision d) {
      got.add(d);
    }

    Decision last() {
      return got.get(got.size() - 1);
    }

    List<String> lastParents() {
      return ((Decision.Parents) last()).parents().stream().map(ParentOffer::peerId).toList();
    }
  }

  static HostInfo host(String id, String region, String nodepool) {
    return host(id, region, nodepool, 0);
  }

  static HostInfo host(String id, String region, String nodepool, int slots) {
    return new HostInfo(id, id, "10.0.0.1", 9000, new Locality(region, "", nodepool), slots, 0, false);
  }

  PeerKey reg(String peer, HostInfo h, boolean source, Sink sink) {
    return s.register(new Registration(C, peer, h, null, null, source, ""), sink);
  }

  /** A dedicated seed host announces the content: an ordinary parent. */
  void seed(HostInfo h) {
    s.announceContents(seedHost(h), List.of(new HeldContent(C, META)), false);
  }

  static HostInfo seedHost(HostInfo h) {
    return new HostInfo(h.hostId(), h.hostname(), h.ip(), h.dataPort(), h.locality(), h.uploadSlots(),
        h.uploadBandwidth(), true);
  }

  Map<String, PeerSnapshot> peers() {
    return s.listPeers(C).stream().collect(Collectors.toMap(PeerSnapshot::peerId, Function.identity()));
  }

  @Test
  void originStormTenPeersTwoNodepoolsExactlyTwoGoToSource() {
    List<Sink> sinks = new ArrayList<>();
    List<PeerKey> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String np = i % 2 == 0 ? "np-a" : "np-b";
      Sink sink = new Sink();
      sinks.add(sink);
      keys.add(reg("p" + i, host("h" + i, "r1", np), true, sink));
    }
    long b2s = sinks.stream().filter(x -> x.last() instanceof Decision.BackToSource).count();
    long waiting = sinks.stream().filter(x -> x.last() instanceof Decision.Wait).count();
    assertEquals(2, b2s);
    assertEquals(8, waiting);
    assertInstanceOf(Decision.BackToSource.class, sinks.get(0).last()); // first of np-a
    assertInstanceOf(Decision.BackToSource.class, sinks.get(1).last()); // first of np-b
    assertEquals(2, s.stat(C).orElseThrow().backToSourceCount());

    // p0 (np-a) gets its first piece: np-a's waiters get p0 as parent; np-b's waiters keep waiting for p1.
    s.pieceFinished(keys.get(0), new int[] {0}, "");
    for (int i = 2; i < 10; i += 2) {
      assertEquals(List.of("p0"), sinks.get(i).lastParents(), "np-a waiter p" + i);
    }
    for (int i = 3; i < 10; i += 2) {
      assertEquals(1, sinks.get(i).got.size(), "np-b waiter p" + i + " must not be woken");
    }

    // p1 (np-b's origin reader) fails: one np-b waiter takes over the boundary (from np-a, which has pieces).
    s.downloadFailed(keys.get(1), "origin 503", true);
    assertEquals(List.of("p0"), sinks.get(3).lastParents());
    for (int i = 5; i < 10; i += 2) {
      assertInstanceOf(Decision.Wait.class, sinks.get(i).last());
    }
    // Its first piece lets the rest of np-b fetch inside the nodepool.
    s.pieceFinished(keys.get(3), new int[] {0}, "p0");
    for (int i = 5; i < 10; i += 2) {
      assertEquals(List.of("p3"), sinks.get(i).lastParents(), "np-b waiter p" + i);
    }
  }

  @Test
  void anOrdinaryNodesUploadIsAnOriginReadOncePerNodepool() {
    // an ordinary node (not a dedicated seed host) uploaded the content: it is the content's origin
    s.announceContents(host("uploader", "r1", "np"), List.of(new HeldContent(C, META)), false);
    Sink a = new Sink();
    Sink b = new Sink();
    Sink c = new Sink();
    PeerKey ka = reg("a", host("ha", "r1", "np"), false, a);
    reg("b", host("hb", "r1", "np"), false, b);
    reg("c", host("hc", "r1", "np"), false, c);
    Decision.BackToSource first = assertInstanceOf(Decision.BackToSource.class, a.last());
    assertEquals(List.of("seed:uploader"), first.sources().stream().map(ParentOffer::peerId).toList());
    assertInstanceOf(Decision.Wait.class, b.last(), "the origin is read once per nodepool, not once per peer");
    assertInstanceOf(Decision.Wait.class, c.last());

    s.pieceFinished(ka, new int[] {0}, "seed:uploader");
    assertEquals(List.of("a"), b.lastParents(), "the others fetch from the origin reader");
    assertEquals(List.of("a"), c.lastParents());

    // the origin reader fails: a waiter reads the origin in its place (the others keep their parents)
    Sink d = new Sink();
    reg("d", host("hd", "r1", "np"), false, d);
    assertEquals(List.of("a"), d.lastParents());
    s.downloadFailed(ka, "killed", false);
    long readers = List.of(b, c, d).stream().filter(x -> x.last() instanceof Decision.BackToSource).count();
    assertEquals(1, readers, "exactly one peer took over the origin");
    assertInstanceOf(Decision.BackToSource.class, b.last(), "the earliest waiter, in registration order");
  }

  static final ContentRef D = ContentRef.parse("sha256:" + "cd".repeat(32));

  /** A content whose origin is the upload on an ordinary node "uploader" (read only by back-to-source). */
  void uploaded(ContentRef ref) {
    s.announceContents(host("uploader", "r1", "np"), List.of(new HeldContent(ref, META)), false);
  }

  PeerKey reg(ContentRef ref, String peer, HostInfo h, Sink sink) {
    return s.register(new Registration(ref, peer, h, null, null, false, ""), sink);
  }

  @Test
  void aBusyHolderIsWaitedForInsteadOfReadingTheOriginAgain() {
    uploaded(C);
    HostInfo ha = host("ha", "r1", "np", 1);
    Sink a = new Sink();
    PeerKey ka = reg(C, "a", ha, a);
    assertInstanceOf(Decision.BackToSource.class, a.last());
    s.downloadFinished(ka, META); // the origin reader is done: no peer reads the origin now
    Sink b = new Sink();
    PeerKey kb = reg(C, "b", host("hb", "r1", "np"), b);
    assertEquals(List.of("a"), b.lastParents()); // takes ha's only slot
    Sink c = new Sink();
    reg(C, "c", host("hc", "r1", "np"), c);
    Decision.Wait w = assertInstanceOf(Decision.Wait.class, c.last(),
        "a holder exists but is busy: wait for its slot, do not read the origin a second time");
    assertTrue(w.reason().contains("busy"), w.reason());
    assertEquals(0, s.stat(C).orElseThrow().backToSourceCount());
    s.downloadFinished(kb, META); // frees ha's slot; b is a holder now too
    assertInstanceOf(Decision.Parents.class, c.last());
  }

  @Test
  void aSlotFreedByAnotherContentEndsTheWaitAtOnce() {
    uploaded(C);
    uploaded(D);
    HostInfo ha = host("ha", "r1", "np", 1);
    Sink a1 = new Sink();
    Sink a2 = new Sink();
    s.downloadFinished(reg(C, "a1", ha, a1), META);
    s.downloadFinished(reg(D, "a2", ha, a2), META);
    Sink b = new Sink();
    PeerKey kb = reg(C, "b", host("hb", "r1", "np"), b);
    assertEquals(List.of("a1"), b.lastParents()); // ha's only slot, for content C
    Sink c = new Sink();
    reg(D, "c", host("hc", "r1", "np"), c);
    assertInstanceOf(Decision.Wait.class, c.last());
    s.downloadFinished(kb, META); // a download of C ends: ha's slot serves D's waiter without a sweep
    assertEquals(List.of("a2"), c.lastParents());
  }

  @Test
  void aSlotWaitIsBoundedThenTheOriginIsReadAfterAll() {
    uploaded(C);
    HostInfo ha = host("ha", "r1", "np", 1);
    Sink a = new Sink();
    s.downloadFinished(reg(C, "a", ha, a), META);
    Sink b = new Sink();
    reg(C, "b", host("hb", "r1", "np"), b);
    Sink c = new Sink();
    reg(C, "c", host("hc", "r1", "np"), c);
    assertInstanceOf(Decision.Wait.class, c.last());
    clock.advance(settings.slotWait().dividedBy(2));
    s.expire();
    assertInstanceOf(Decision.Wait.class, c.last(), "still inside slotWait");
    clock.advance(settings.slotWait());
    s.expire(); // the sweep re-examines waiters: the holder is still busy, the wait is over
    Decision.BackToSource b2s = assertInstanceOf(Decision.BackToSource.class, c.last());
    assertEquals(List.of("seed:uploader"), b2s.sources().stream().map(ParentOffer::peerId).toList());
  }

  @Test
  void failedOriginReaderIsReplacedByAWaiter() {
    Sink a = new Sink();
    Sink b = new Sink();
    PeerKey ka = reg("a", host("ha", "r1", "np"), true, a);
    reg("b", host("hb", "r1", "np"), true, b);
    assertInstanceOf(Decision.BackToSource.class, a.last());
    assertInstanceOf(Decision.Wait.class, b.last());
    s.leave(ka);
    assertInstanceOf(Decision.BackToSource.class, b.last());
  }

  @Test
  void peerWithoutSourceWaitsForASeedAndIsPushedParentsWhenOneAppears() {
    Sink sink = new Sink();
    reg("c", host("hc", "r1", "np"), false, sink);
    assertInstanceOf(Decision.Wait.class, sink.last());
    seed(host("hs", "r1", "np"));
    Decision.Parents p = assertInstanceOf(Decision.Parents.class, sink.last());
    assertEquals("seed:hs", p.parents().get(0).peerId());
    assertTrue(p.parents().get(0).seed());
    assertEquals(META, p.meta());
  }

  @Test
  void smallContentRegisterAnswerCarriesParents() {
    ContentMeta one = ContentMeta.of(1000, 4 << 20);
    s.announceContents(seedHost(host("hs", "r1", "np")), List.of(new HeldContent(C, one)), false);
    Sink sink = new Sink();
    reg("c", host("hc", "r1", "np"), true, sink);
    assertEquals(1, sink.got.size());
    Decision.Parents p = assertInstanceOf(Decision.Parents.class, sink.last());
    assertEquals(1, p.meta().pieceCount());
    assertEquals(List.of("seed:hs"), sink.lastParents());
  }

  @Test
  void emptyContentIsAnsweredEmpty() {
    s.announceContents(host("hs", "r1", "np"), List.of(new HeldContent(C, new ContentMeta(0, 0, 0))), false);
    Sink sink = new Sink();
    reg("c", host("hc", "r1", "np"), true, sink);
    assertInstanceOf(Decision.Empty.class, sink.last());
  }

  @Test
  void finishedPeerBecomesASeedAndHalfFinishedPeersAreParents() {
    Sink a = new Sink();
    PeerKey ka = reg("a", host("ha", "r1", "np"), true, a);
    s.contentMeta(ka, META);
    s.pieceFinished(ka, new int[] {0, 1, 2}, "");
    Sink b = new Sink();
    reg("b", host("hb", "r1", "np"), false, b);
    Decision.Parents p = assertInstanceOf(Decision.Parents.class, b.last());
    assertFalse(p.parents().get(0).seed());
    assertEquals(3, p.parents().get(0).finishedPieceCount());

    s.downloadFinished(ka, null);
    s.streamClosed(ka); // a finished peer stays a parent after its stream ends
    Sink c = new Sink();
    reg("c", host("hc", "r1", "np"), false, c);
    Decision.Parents pc = assertInstanceOf(Decision.Parents.class, c.last());
    ParentOffer first = pc.parents().get(0);
    assertEquals("a", first.peerId());
    assertTrue(first.seed());
    assertEquals(25, first.finishedPieceCount());
  }

  @Test
  void descendantsAreNeverParentsSoTheDagHasNoCycle() {
    Sink a = new Sink();
    PeerKey ka = reg("a", host("ha", "r1", "np"), true, a);
    s.pieceFinished(ka, new int[] {0}, "");
    Sink b = new Sink();
    PeerKey kb = reg("b", host("hb", "r1", "np"), false, b);
    assertEquals(List.of("a"), b.lastParents());
    // b gains a piece a lacks; a (its parent) asks for parents: b is a's descendant and must not be offered.
    s.pieceFinished(kb, new int[] {5}, "");
    Sink c = new Sink();
    PeerKey kc = reg("c", host("hc", "r1", "np"), false, c);
    assertTrue(c.lastParents().containsAll(List.of("a", "b")));
    s.reschedule(ka, List.of());
    assertFalse(a.last() instanceof Decision.Parents p && p.parents().stream()
        .anyMatch(o -> o.peerId().equals("b") || o.peerId().equals("c")), "got " + a.last());
    assertEquals(List.of(), peers().get("a").parentPeerIds());
    // b asks too: c is b's child, a is not b's descendant.
    s.pieceFinished(kc, new int[] {9}, "");
    s.reschedule(kb, List.of());
    assertEquals(List.of("a"), b.lastParents());
  }

  @Test
  void failingParentIsBlocklistedAndItsSlotFreed() {
    seed(host("s1", "r1", "np"));
    seed(host("s2", "r1", "np"));
    Sink c = new Sink();
    PeerKey kc = reg("c", host("hc", "r1", "np"), false, c);
    assertEquals(2, c.lastParents().size());
    assertEquals(1, s.activeUploads("s1"));
    s.pieceFailed(kc, 3, "seed:s1", "crc mismatch");
    assertEquals(List.of("seed:s2"), c.lastParents());
    assertEquals(0, s.activeUploads("s1"));
    assertEquals(List.of("seed:s1"), peers().get("c").blocklist());
    // Still blocklisted on later answers.
    s.reschedule(kc, List.of());
    assertEquals(List.of("seed:s2"), c.lastParents());
  }

  @Test
  void hostWithoutFreeSlotIsNoParent() {
    seed(host("s1", "r1", "np", 1));
    Sink c1 = new Sink();
    Sink c2 = new Sink();
    PeerKey k1 = reg("c1", host("h1", "r1", "np"), false, c1);
    reg("c2", host("h2", "r1", "np"), false, c2);
    assertEquals(List.of("seed:s1"), c1.lastParents());
    assertInstanceOf(Decision.Wait.class, c2.last());
    s.leave(k1); // frees the slot: the waiter gets it
    assertEquals(List.of("seed:s1"), c2.lastParents());
  }

  @Test
  void parentsInTheSameNodepoolComeFirstAndOutsideOnesAreNotMixedIn() {
    seed(host("far", "r2", "np-far"));
    seed(host("region", "r1", "np-other"));
    Sink c = new Sink();
    reg("c", host("hc", "r1", "np"), false, c);
    // Nobody inside np: c crosses the boundary, region-local parent first.
    assertEquals(List.of("seed:region", "seed:far"), c.lastParents());
    seed(host("near", "r1", "np"));
    Sink d = new Sink();
    reg("d", host("hd", "r1", "np"), false, d);
    assertEquals(List.of("seed:near"), d.lastParents());
  }

  @Test
  void onlyOnePeerPerNodepoolCrossesTheBoundary() {
    seed(host("s", "r1", "np-a"));
    Sink b1 = new Sink();
    Sink b2 = new Sink();
    PeerKey k1 = reg("b1", host("hb1", "r1", "np-b"), false, b1);
    reg("b2", host("hb2", "r1", "np-b"), false, b2);
    assertEquals(List.of("seed:s"), b1.lastParents());
    assertInstanceOf(Decision.Wait.class, b2.last());
    s.pieceFinished(k1, new int[] {0}, "seed:s");
    assertEquals(List.of("b1"), b2.lastParents());
  }

  @Test
  void leavingParentsChildrenArePushedNewAnswers() {
    Sink a = new Sink();
    PeerKey ka = reg("a", host("ha", "r1", "np"), true, a);
    s.pieceFinished(ka, new int[] {0}, "");
    Sink b = new Sink();
    reg("b", host("hb", "r1", "np"), true, b);
    assertEquals(List.of("a"), b.lastParents());
    s.leave(ka);
    // No parent left and the origin quota is free again: b reads the origin.
    assertInstanceOf(Decision.BackToSource.class, b.last());
  }

  @Test
  void heartbeatExpiryDropsSilentHostsAndPeers() {
    seed(host("s", "r1", "np"));
    Sink a = new Sink();
    reg("a", host("ha", "r1", "np"), false, a);
    assertEquals(2, s.peerCount());
    clock.advance(Duration.ofSeconds(20));
    assertTrue(s.hostHeartbeat("s")); // the seed host keeps heartbeating, the downloading peer is silent
    clock.advance(Duration.ofSeconds(15));
    s.expire();
    assertEquals(List.of("seed:s"), List.copyOf(peers().keySet()));
    Decision.Failure f = assertInstanceOf(Decision.Failure.class, a.last());
    assertEquals(SchedulerErrorCode.NOT_FOUND, f.code());
    clock.advance(Duration.ofSeconds(31));
    s.expire();
    assertEquals(0, s.peerCount());
    assertEquals(0, s.contentCount());
    assertFalse(s.hostHeartbeat("s"));
  }

  @Test
  void staleParentIsNotOfferedBeforeTheSweep() {
    seed(host("s", "r1", "np"));
    clock.advance(Duration.ofSeconds(31));
    Sink c = new Sink();
    reg("c", host("hc", "r1", "np"), false, c);
    assertInstanceOf(Decision.Wait.class, c.last());
  }

  @Test
  void replaceAllForgetsUnlistedContents() {
    HostInfo h = host("s", "r1", "np");
    seed(h);
    assertEquals(1, s.peerCount());
    s.announceContents(seedHost(h), List.of(), true);
    assertEquals(0, s.peerCount());
  }

  @Test
  void unregisterDropsTheHostsCopy() {
    seed(host("s", "r1", "np"));
    assertEquals(1, s.unregisterContents("s", List.of(C)));
    assertTrue(s.stat(C).isEmpty());
  }

  @Test
  void unfinishedPeerIsDroppedWhenItsStreamEnds() {
    Sink a = new Sink();
    PeerKey ka = reg("a", host("ha", "r1", "np"), true, a);
    s.streamClosed(ka);
    assertEquals(0, s.peerCount());
    SchedulerException e = assertThrows(SchedulerException.class, () -> s.heartbeat(ka));
    assertEquals(SchedulerErrorCode.NOT_FOUND, e.code());
  }

  @Test
  void badReportsAreRejectedWithoutChangingState() {
    Sink a = new Sink();
    PeerKey ka = reg("a", host("ha", "r1", "np"), true, a);
    s.contentMeta(ka, META);
    assertThrows(SchedulerException.class, () -> s.pieceFinished(ka, new int[] {25}, ""));
    assertThrows(SchedulerException.class, () -> s.pieceFinished(ka, new int[] {-1}, ""));
    assertThrows(SchedulerException.class, () -> s.contentMeta(ka, ContentMeta.of(5, 1)));
    assertThrows(SchedulerException.class, () -> s.pieceFailed(ka, 0, "a", "self"));
    SchedulerException dup = assertThrows(SchedulerException.class,
        () -> reg("a", host("ha", "r1", "np"), true, new Sink()));
    assertEquals(SchedulerErrorCode.FAILED_PRECONDITION, dup.code());
    assertEquals(0, peers().get("a").finishedPieceCount());
    assertThrows(SchedulerException.class, () -> new ContentMeta(-1, 4, 0));
    assertThrows(SchedulerException.class, () -> new ContentMeta(10, 4, 2));
  }
}
