package io.rayfile.d7y.peer.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.FileContentStore;
import io.rayfile.d7y.peer.storage.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A content moves between two real {@link FileContentStore}s over loopback, piece by piece, and completes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileContentStoreTransferTest {
  static {
    LeakDetection.install();
  }

  @TempDir
  Path dir;

  @AfterAll
  static void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void aContentMovesBetweenTwoStoresAndVerifies() throws Exception {
    byte[] data = new byte[(9 << 20) + 12345]; // three 4 MiB pieces, the last one short
    new Random(17).nextBytes(data);
    Path source = dir.resolve("source.bin");
    Files.write(source, data);
    try (FileContentStore parentStore = FileContentStore.open(StoreSettings.defaults(dir.resolve("parent")));
        FileContentStore childStore = FileContentStore.open(StoreSettings.defaults(dir.resolve("child")))) {
      ContentId id = parentStore.importFile(source, false, false).content().id();
      try (PieceServer server = PieceServer.start(new HostPort("127.0.0.1", 0), parentStore,
          ServerSettings.defaults(), TransferMetrics.NOOP);
          PieceClient client = PieceClient.create(ClientSettings.defaults().withConnections(1, 8),
              TransferMetrics.NOOP)) {
        HostPort parent = new HostPort("127.0.0.1", server.port());
        PieceBitmap bitmap = client.bitmap(parent, id).get(5, TimeUnit.SECONDS);
        assertTrue(bitmap.complete());
        childStore.begin(id, bitmap.kind(), bitmap.layout());
        List<CompletableFuture<PieceResult>> futures = new ArrayList<>();
        for (int p = 0; p < bitmap.layout().pieceCount(); p++) {
          futures.add(client.fetch(parent, id, p, PieceSink.of(childStore.writePiece(id, p))));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertTrue(childStore.stat(id).orElseThrow().complete(), "the last commit verified the SHA-256");
        assertEquals(3, childStore.finishedPieces(id).cardinality());
        Path out = dir.resolve("out.bin");
        childStore.materialize(id, out, true);
        assertArrayEquals(data, Files.readAllBytes(out));
      }
    }
  }
}
