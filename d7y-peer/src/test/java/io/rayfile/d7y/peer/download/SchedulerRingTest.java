package io.rayfile.d7y.peer.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerRingTest {
  private static final int KEYS = 30_000;

  private static String id(int i) {
    return "sha256:" + String.format("%064x", (long) i * 2654435761L);
  }

  @Test
  void spreadsContentsEvenly() {
    SchedulerRing ring = SchedulerRing.of(List.of("a:1", "b:1", "c:1", "d:1"));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      counts.merge(ring.pick(id(i)), 1, Integer::sum);
    }
    assertEquals(4, counts.size());
    for (int n : counts.values()) {
      double share = n / (double) KEYS;
      assertTrue(share > 0.25 * 0.85 && share < 0.25 * 1.15, "share " + share + " of " + counts);
    }
  }

  @Test
  void addingAnInstanceMovesOnlyItsShare() {
    SchedulerRing three = SchedulerRing.of(List.of("a:1", "b:1", "c:1"));
    SchedulerRing four = SchedulerRing.of(List.of("c:1", "a:1", "b:1", "d:1"));
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      String before = three.pick(id(i));
      String after = four.pick(id(i));
      if (!before.equals(after)) {
        moved++;
        assertEquals("d:1", after, "a key may only move to the new instance");
      }
    }
    double share = moved / (double) KEYS;
    assertTrue(share > 0.25 * 0.8 && share < 0.25 * 1.2, "moved " + share);
  }

  @Test
  void orderIsDeterministicAndDistinct() {
    SchedulerRing r1 = SchedulerRing.of(List.of("a:1", "b:1", "c:1"));
    SchedulerRing r2 = SchedulerRing.of(List.of("c:1", "b:1", "a:1"));
    for (int i = 0; i < 200; i++) {
      List<String> order = r1.pickInOrder(id(i), 5);
      assertEquals(3, order.size());
      assertEquals(3, new HashSet<>(order).size());
      assertEquals(r1.pick(id(i)), order.get(0));
      assertEquals(order, r2.pickInOrder(id(i), 3));
    }
    // Removing the owner hands the key to the second in order.
    String key = id(7);
    List<String> order = r1.pickInOrder(key, 3);
    List<String> rest = new java.util.ArrayList<>(r1.addresses());
    rest.remove(order.get(0));
    assertEquals(order.get(1), SchedulerRing.of(rest).pick(key));
  }

  @Test
  void rejectsBadInput() {
    assertThrows(io.rayfile.d7y.peer.PeerException.class, () -> SchedulerRing.of(List.of()));
    assertThrows(io.rayfile.d7y.peer.PeerException.class, () -> SchedulerRing.of(List.of("a:1", "a:1")));
    assertThrows(io.rayfile.d7y.peer.PeerException.class, () -> SchedulerRing.of(List.of(" ")));
    assertThrows(io.rayfile.d7y.peer.PeerException.class, () -> SchedulerRing.of(List.of("a:1"), 0));
  }
}
