package io.rayfile.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OwnedTableTest {

  /** Random inserts, updates and deletes against a HashMap model, with keys crowded to force long probe runs. */
  @Test
  void behavesLikeAMap() {
    for (long seed = 1; seed <= 20; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      OwnedTable table = new OwnedTable(4);
      Map<Long, int[]> model = new HashMap<>();
      for (int i = 0; i < 20_000; i++) {
        long key = rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(600) - 300; // includes 0 and negatives
        int slot = table.find(key);
        assertEquals(model.containsKey(key), slot >= 0, "seed " + seed + " key " + key);
        switch (rnd.nextInt(3)) {
          case 0 -> {
            if (slot < 0) {
              slot = table.insert(key);
              int v = rnd.nextInt(100);
              table.local(slot, v);
              table.tasks(slot, -v);
              table.extras(slot, v % 2 == 0);
              model.put(key, new int[] {v});
            }
          }
          case 1 -> {
            if (slot >= 0) {
              table.removeAt(slot);
              model.remove(key);
            }
          }
          default -> {
            if (slot >= 0) {
              int v = model.get(key)[0];
              assertEquals(v, table.local(slot));
              assertEquals(-v, table.tasks(slot));
              assertEquals(v % 2 == 0, table.hasExtras(slot));
              assertEquals(key, table.key(slot));
            }
          }
        }
        assertEquals(model.size(), table.size());
      }
      for (Map.Entry<Long, int[]> e : model.entrySet()) {
        int slot = table.find(e.getKey());
        assertTrue(slot >= 0);
        assertEquals(e.getValue()[0], table.local(slot));
      }
    }
  }

  @Test
  void staysWithinThreeQuartersLoad() {
    OwnedTable table = new OwnedTable(16);
    for (long k = 0; k < 100_000; k++) {
      table.insert(k);
    }
    assertTrue(table.size() * 4L <= table.capacity() * 3L);
    assertEquals(262_144, table.capacity());
  }
}
