package io.rayfile.d7y.peer.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.HostPort;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PieceSelectorTest {
  private static BitSet bits(int... set) {
    BitSet b = new BitSet();
    Arrays.stream(set).forEach(b::set);
    return b;
  }

  private static ParentLink parent(String id, BitSet has, int window, double rate) {
    ParentLink p = new ParentLink(new ParentInfo(id, new HostPort("127.0.0.1", 1), has == null,
        Optional.ofNullable(has)), window);
    p.rate = rate;
    return p;
  }

  @Test
  void rarestPiecesGoFirstAndToTheirOnlyHolder() {
    ParentLink a = parent("a", bits(0, 1, 2), 1, 0);
    ParentLink b = parent("b", bits(0, 1), 1, 0);
    List<PieceSelector.Assignment> plan = PieceSelector.plan(bits(0, 1, 2, 3), List.of(a, b), p -> true, 0);
    assertEquals(2, plan.size());
    assertEquals(new PieceSelector.Assignment(a, 2), plan.get(0)); // only a has 2
    assertEquals(new PieceSelector.Assignment(b, 0), plan.get(1)); // a is full: b takes a common piece
  }

  @Test
  void aSlowSeedIsOnlyAskedForWhatNobodyElseHas() {
    ParentLink seed = parent("seed", null, 4, 10e6);
    ParentLink peer = parent("peer", bits(0, 1, 2, 3), 4, 500e6);
    List<PieceSelector.Assignment> plan = PieceSelector.plan(bits(0, 1, 2, 3, 4, 5), List.of(seed, peer),
        p -> true, 0);
    for (PieceSelector.Assignment a : plan) {
      if (a.parent() == seed) {
        assertTrue(a.piece() >= 4, "the seed was asked for piece " + a.piece() + " which the fast peer has");
      }
    }
    assertEquals(6, plan.size());
  }

  @Test
  void tiesGoInPieceOrderSoTheContentHashesAsItLands() {
    ParentLink seed = parent("seed", null, 1, 0);
    assertEquals(3, PieceSelector.plan(bits(3, 4, 7), List.of(seed), p -> true, 0).get(0).piece());
    ParentLink wide = parent("wide", null, 4, 0);
    assertEquals(List.of(0, 1, 2, 4), PieceSelector.plan(bits(0, 1, 2, 4, 5), List.of(wide), p -> true, 0).stream()
        .map(PieceSelector.Assignment::piece).toList());
  }

  @Test
  void pausedOrFullParentsAndUnheldPiecesPlanNothing() {
    ParentLink full = parent("full", null, 1, 0);
    full.inFlight = 1;
    assertTrue(PieceSelector.plan(bits(0), List.of(full), p -> true, 0).isEmpty());
    ParentLink paused = parent("paused", null, 2, 0);
    assertTrue(PieceSelector.plan(bits(0), List.of(paused), p -> false, 0).isEmpty());
    ParentLink other = parent("other", bits(1), 2, 0);
    assertTrue(PieceSelector.plan(bits(5), List.of(other), p -> true, 0).isEmpty());
  }

  @Test
  void aPieceTheParentSendsElsewhereIsTakenFromAnotherHolderOrLater() {
    ParentLink seed = parent("seed", null, 4, 0);
    seed.sendingElsewhere(0, 1_000);
    List<PieceSelector.Assignment> plan = PieceSelector.plan(bits(0, 1), List.of(seed), p -> true, 2_000);
    assertEquals(1, plan.size(), "only piece 1 is asked of the seed");
    assertEquals(1, plan.get(0).piece());
    assertTrue(seed.sendingElsewhere(2_000));

    ParentLink sibling = parent("sibling", bits(0), 1, 0);
    plan = PieceSelector.plan(bits(0), List.of(seed, sibling), p -> true, 2_000);
    assertEquals(List.of(new PieceSelector.Assignment(sibling, 0)), plan, "the sibling it went to serves it");

    long later = 1_000 + ParentLink.ELSEWHERE_HOLD_OFF_NANOS;
    plan = PieceSelector.plan(bits(0), List.of(seed), p -> true, later);
    assertEquals(List.of(new PieceSelector.Assignment(seed, 0)), plan, "after the hold-off the seed is asked again");
    assertFalse(seed.sendingElsewhere(later));
  }
}
