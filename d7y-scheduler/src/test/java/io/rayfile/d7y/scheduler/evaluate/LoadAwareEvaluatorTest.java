package io.rayfile.d7y.scheduler.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.scheduler.FakeClock;
import io.rayfile.d7y.scheduler.SchedulerSettings;
import io.rayfile.d7y.scheduler.state.ContentMeta;
import io.rayfile.d7y.scheduler.state.ContentRef;
import io.rayfile.d7y.scheduler.state.Decision;
import io.rayfile.d7y.scheduler.state.HeldContent;
import io.rayfile.d7y.scheduler.state.HostInfo;
import io.rayfile.d7y.scheduler.state.Locality;
import io.rayfile.d7y.scheduler.state.ParentOffer;
import io.rayfile.d7y.scheduler.state.PeerScheduler;
import io.rayfile.d7y.scheduler.state.Registration;
import io.rayfile.d7y.scheduler.state.SchedulerEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The score as docs/scheduling.md states it, observed through the answers' order and scores. */
class LoadAwareEvaluatorTest {
  static final ContentRef C = ContentRef.parse("sha256:" + "cd".repeat(32));
  static final ContentRef OTHER = ContentRef.parse("sha256:" + "ef".repeat(32));
  static final ContentMeta META = ContentMeta.of(40L << 20, 4 << 20); // 10 pieces

  final FakeClock clock = new FakeClock();
  final SchedulerSettings settings = SchedulerSettings.builder().candidateParents(8).build();
  final PeerScheduler s = new PeerScheduler(settings, clock, new LoadAwareEvaluator(settings), SchedulerEvents.NONE);

  static HostInfo host(String id, String region, String zone, String nodepool, int slots, long bw, boolean seedHost) {
    return new HostInfo(id, id, "10.1.0.1", 9000, new Locality(region, zone, nodepool), slots, bw, seedHost);
  }

  List<ParentOffer> offersFor(HostInfo child) {
    List<Decision> got = new ArrayList<>();
    s.register(new Registration(C, "child-" + child.hostId(), child, null, null, false, ""), got::add);
    return ((Decision.Parents) got.get(got.size() - 1)).parents();
  }

  /** Announced by a dedicated seed host: an ordinary (scored) parent, not an origin. */
  void seed(HostInfo h, ContentRef ref) {
    s.announceContents(new HostInfo(h.hostId(), h.hostname(), h.ip(), h.dataPort(), h.locality(), h.uploadSlots(),
        h.uploadBandwidth(), true), List.of(new HeldContent(ref, META)), false);
  }

  @Test
  void scoreOfAnIdleSameNodepoolSeedIsOne() {
    seed(host("s", "r", "z", "np", 4, 0, false), C);
    List<ParentOffer> offers = offersFor(host("c", "r", "z", "np", 4, 0, false));
    assertEquals(1.0, offers.get(0).score(), 1e-9);
  }

  @Test
  void localityOrdersOtherwiseEqualParents() {
    HostInfo child = host("c", "r1", "z1", "np1", 4, 0, false);
    seed(host("elsewhere", "r9", "z9", "np9", 4, 0, false), C);
    seed(host("region", "r1", "z2", "np2", 4, 0, false), C);
    seed(host("zone", "r1", "z1", "np3", 4, 0, false), C);
    List<ParentOffer> offers = offersFor(child);
    assertEquals(List.of("seed:zone", "seed:region", "seed:elsewhere"),
        offers.stream().map(ParentOffer::peerId).toList());
    // 0.4 load + 0.3 * locality + 0.2 seed + 0.1 progress
    assertEquals(0.4 + 0.3 * 0.75 + 0.2 + 0.1, offers.get(0).score(), 1e-9);
    assertEquals(0.4 + 0.3 * 0.5 + 0.2 + 0.1, offers.get(1).score(), 1e-9);
    assertEquals(0.4 + 0.2 + 0.1, offers.get(2).score(), 1e-9);
  }

  @Test
  void freeUploadCapacityOutranksLocality() {
    HostInfo child = host("c", "r1", "z1", "np", 4, 0, false);
    HostInfo busy = host("busy", "r1", "z1", "np", 4, 0, false);
    HostInfo idle = host("idle", "r1", "z1", "np", 4, 0, false);
    seed(busy, C);
    seed(idle, C);
    seed(busy, OTHER);
    // Three children of OTHER in another nodepool load 'busy' (the only holder of OTHER) to 3 of 4 slots.
    for (int i = 0; i < 3; i++) {
      HostInfo h = host("o" + i, "r1", "z1", "np", 4, 0, false);
      s.register(new Registration(OTHER, "o" + i, h, null, null, false, ""), d -> { });
    }
    assertEquals(3, s.activeUploads("busy"));
    List<ParentOffer> offers = offersFor(child);
    assertEquals("seed:idle", offers.get(0).peerId());
    assertEquals("seed:busy", offers.get(1).peerId());
    assertEquals(0.4 * 0.25 + 0.3 + 0.2 + 0.1, offers.get(1).score(), 1e-9);
  }

  @Test
  void bandwidthScalesFreeCapacity() {
    seed(host("fast", "r", "z", "np", 4, 1000, false), C);
    seed(host("slow", "r", "z", "np", 4, 250, false), C);
    List<ParentOffer> offers = offersFor(host("c", "r", "z", "np", 4, 0, false));
    assertEquals("seed:fast", offers.get(0).peerId());
    assertEquals(0.4 * (0.5 + 0.5 * 0.25) + 0.3 + 0.2 + 0.1, offers.get(1).score(), 1e-9);
  }

  @Test
  void seedOutranksAHalfFinishedPeer() {
    HostInfo child = host("c", "r", "z", "np", 4, 0, false);
    List<Decision> got = new ArrayList<>();
    var half = s.register(new Registration(C, "half", host("h", "r", "z", "np", 4, 0, false), META, null, true, ""),
        got::add);
    s.pieceFinished(half, new int[] {0, 1, 2, 3, 4}, "");
    seed(host("s", "r", "z", "np", 4, 0, false), C);
    List<ParentOffer> offers = offersFor(child);
    assertEquals(List.of("seed:s", "half"), offers.stream().map(ParentOffer::peerId).toList());
    assertEquals(0.4 + 0.3 + 0.0 + 0.1 * 0.5, offers.get(1).score(), 1e-9);
    assertTrue(offers.get(1).finishedPieces().length > 0);
  }
}
