package io.rayfile.d7y.peer.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleMetadataStoreTest {
  @TempDir Path tmp;

  private static ContentId id(int i) {
    return new ContentId(String.format("%064x", i));
  }

  @Test
  void recordsOfEverySizeSurviveReopen() {
    Map<ContentId, ContentRecord> written = new HashMap<>();
    Random rnd = new Random(1);
    try (ChronicleMetadataStore meta = ChronicleMetadataStore.open(tmp, 16)) {
      int[] pieceCounts = {0, 1, 2, 500, 1600, FileContentStore.MAX_PIECES, FileContentStore.MAX_PIECES};
      for (int i = 0; i < pieceCounts.length; i++) {
        PieceLayout layout = new PieceLayout((long) pieceCounts[i] * (4 << 20), 4 << 20);
        ContentRecord r = ContentRecord.partial(ContentKind.FILE, layout, 1000 + i);
        for (int p = 0; p < layout.pieceCount(); p += 3) {
          r = r.withPiece(p, rnd.nextInt(), 2000);
        }
        r = r.withPinCount(i).withTree(77, i);
        meta.put(id(i), r);
        written.put(id(i), r);
      }
    }
    try (ChronicleMetadataStore meta = ChronicleMetadataStore.open(tmp, 16)) {
      Map<ContentId, String> corrupt = new HashMap<>();
      assertEquals(written, meta.loadAll(corrupt));
      assertTrue(corrupt.isEmpty());
      meta.remove(id(0));
      assertTrue(meta.get(id(0)).isEmpty());
      assertEquals(written.get(id(3)), meta.get(id(3)).orElseThrow());
    }
  }

  @Test
  void largestRecordFitsAtDefaultCapacityToo() throws Exception {
    PieceLayout layout = new PieceLayout((long) FileContentStore.MAX_PIECES << 26, 1 << 26);
    ContentRecord r = ContentRecord.partial(ContentKind.FILE, layout, 1);
    for (int p = 0; p < layout.pieceCount(); p++) {
      r = r.withPiece(p, p * 31, 2);
    }
    try (ChronicleMetadataStore meta = ChronicleMetadataStore.open(tmp, StoreSettings.DEFAULT_EXPECTED_CONTENTS)) {
      for (int i = 0; i < 50; i++) {
        meta.put(id(i), r);
      }
      assertEquals(r, meta.get(id(7)).orElseThrow());
    }
    long size = java.nio.file.Files.size(tmp.resolve(ChronicleMetadataStore.FILE_NAME));
    assertTrue(size < 200L << 20, "metadata file of " + size + " bytes");
  }

  @Test
  void encodingIsVersionedAndStrict() {
    ContentRecord r = ContentRecord.complete(ContentKind.DIRECTORY, new PieceLayout(10, 4), new int[] {1, 2, 3}, 5, 9,
        2);
    assertEquals(r, ContentRecord.decode(r.encode()));
    byte[] bytes = r.encode();
    bytes[0] = 9;
    assertThrows(IllegalArgumentException.class, () -> ContentRecord.decode(bytes));
    byte[] truncated = java.util.Arrays.copyOf(r.encode(), 20);
    assertThrows(IllegalArgumentException.class, () -> ContentRecord.decode(truncated));
  }
}
