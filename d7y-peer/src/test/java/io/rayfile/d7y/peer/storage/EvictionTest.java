package io.rayfile.d7y.peer.storage;

import static io.rayfile.d7y.peer.storage.StoreTestSupport.randomBytes;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvictionTest {
  @TempDir Path tmp;
  private final MutableClock clock = StoreTestSupport.clock();
  private FileContentStore store;

  private void open(long quota, double high, double low, Duration ttl) {
    store = FileContentStore.open(new StoreSettings(tmp.resolve("data"), quota, high, low, ttl, clock, 1000));
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Imports {@code n} contents of 100 bytes, one second apart; returns their ids oldest first. */
  private List<ContentId> fill(int n, int seed) throws Exception {
    List<ContentId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(store.importFile(write(tmp.resolve("src/" + seed + "-" + i), randomBytes(100, seed * 1000 + i)),
          false, false).content().id());
      clock.advance(Duration.ofSeconds(1));
    }
    return ids;
  }

  @Test
  void ttlEvictsIdleUnpinnedContents() throws Exception {
    open(1 << 20, 0.9, 0.75, Duration.ofHours(1));
    List<ContentId> ids = fill(3, 1);
    store.pin(ids.get(2));
    clock.advance(Duration.ofMinutes(30));
    store.materialize(ids.get(1), tmp.resolve("out/1"), false); // a read keeps it fresh
    clock.advance(Duration.ofMinutes(40));

    EvictionResult r = store.evict(clock.instant());

    assertEquals(List.of(ids.get(0)), r.evicted());
    assertEquals(100, r.freedBytes());
    assertTrue(store.stat(ids.get(1)).isPresent());
    assertTrue(store.stat(ids.get(2)).isPresent(), "pinned content never expires");
    assertFalse(Files.exists(store.dataFile(ids.get(0))));
  }

  @Test
  void watermarksEvictLeastRecentlyUsedFirst() throws Exception {
    open(1000, 0.9, 0.5, Duration.ZERO);
    List<ContentId> ids = fill(10, 2);
    store.pin(ids.get(0));
    store.materialize(ids.get(1), tmp.resolve("out/1"), false); // now the most recently used
    assertTrue(store.evict(clock.instant()).evicted().isEmpty() == false);
    // 1000 used > 900: evict oldest unpinned until <= 500: ids 2..6 go; 0 is pinned, 1 was just used.
    for (int i = 2; i <= 6; i++) {
      assertTrue(store.stat(ids.get(i)).isEmpty(), "evicted " + i);
    }
    for (int i : new int[] {0, 1, 7, 8, 9}) {
      assertTrue(store.stat(ids.get(i)).isPresent(), "kept " + i);
    }
    assertEquals(500, store.usage().usedBytes());
    assertTrue(store.evict(clock.instant()).evicted().isEmpty(), "below the high watermark nothing happens");
  }

  @Test
  void evictionOrderIsReported() throws Exception {
    open(1000, 0.9, 0.75, Duration.ZERO);
    List<ContentId> ids = fill(10, 3);
    EvictionResult r = store.evict(clock.instant());
    assertEquals(List.of(ids.get(0), ids.get(1), ids.get(2)), r.evicted());
    assertEquals(300, r.freedBytes());
  }

  @Test
  void importMakesRoomByEvictingUnpinned() throws Exception {
    open(1000, 1.0, 1.0, Duration.ZERO);
    List<ContentId> ids = fill(10, 4);
    ContentId added = store.importFile(write(tmp.resolve("new"), randomBytes(250, 99)), false, false)
        .content().id();
    assertTrue(store.stat(added).isPresent());
    for (int i = 0; i < 3; i++) {
      assertTrue(store.stat(ids.get(i)).isEmpty(), "oldest evicted: " + i);
    }
    assertTrue(store.usage().usedBytes() <= 1000);
  }

  @Test
  void pinnedDataFillingTheQuotaIsAClearError() throws Exception {
    open(1000, 0.9, 0.75, Duration.ZERO);
    List<ContentId> ids = fill(9, 5);
    ids.forEach(store::pin);
    PeerException e = assertThrows(PeerException.class,
        () -> store.importFile(write(tmp.resolve("big"), randomBytes(200, 77)), false, false));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code());
    assertTrue(e.getMessage().contains("900 bytes are pinned"), e.getMessage());
    assertTrue(e.getMessage().contains("raise the store quota"), e.getMessage());
    assertEquals(9, store.usage().contentCount(), "pinned content is never evicted");
    assertEquals(List.of(), Files.list(tmp.resolve("data/tmp")).toList());

    PeerException viaBegin = assertThrows(PeerException.class, () -> store.begin(
        StoreTestSupport.sha256(new byte[] {1}), ContentKind.FILE, PieceLayout.forLength(101)));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, viaBegin.code());
  }

  @Test
  void contentsInUseAreNotEvicted() throws Exception {
    open(1000, 0.5, 0.1, Duration.ZERO);
    byte[] bytes = randomBytes(300, 6);
    ContentId id = StoreTestSupport.sha256(bytes);
    PieceLayout layout = new PieceLayout(300, 128);
    store.begin(id, ContentKind.FILE, layout);
    fill(3, 7);
    try (PieceWriter w = store.writePiece(id, 0)) {
      EvictionResult r = store.evict(clock.instant());
      assertFalse(r.evicted().contains(id), "a content being written is in use");
      w.abort();
    }
  }

  @Test
  void strategyIsPluggable() throws Exception {
    // Biggest first.
    store = FileContentStore.open(new StoreSettings(tmp.resolve("data"), 1000, 0.5, 0.4, Duration.ZERO, clock, 1000),
        (candidates, now) -> candidates.stream()
            .sorted((a, b) -> Long.compare(b.length(), a.length())).toList());
    ContentId small = store.importFile(write(tmp.resolve("s"), randomBytes(100, 1)), false, false).content().id();
    clock.advance(Duration.ofSeconds(1));
    ContentId big = store.importFile(write(tmp.resolve("b"), randomBytes(500, 2)), false, false).content().id();
    assertEquals(List.of(big), store.evict(clock.instant()).evicted());
    assertTrue(store.stat(small).isPresent());
  }
}
