package io.rayfile.d7y.peer.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.DirectIo;
import io.rayfile.d7y.peer.storage.FileContentStore;
import io.rayfile.d7y.peer.storage.StoreSettings;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A content moves between real {@link FileContentStore}s over loopback, piece by piece, and completes. */
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

  /**
   * Parent to child to grandchild. With direct I/O, the child writes pieces past the page cache and serves them by
   * O_DIRECT reads into staging buffers instead of sendfile.
   */
  @ParameterizedTest(name = "direct I/O {0}")
  @ValueSource(booleans = {false, true})
  void aContentMovesThroughTwoHopsAndVerifies(boolean directIo) throws Exception {
    byte[] data = new byte[(9 << 20) + 12345]; // three 4 MiB pieces, the last one short
    new Random(17).nextBytes(data);
    Path source = dir.resolve("source.bin");
    Files.write(source, data);
    if (directIo) {
      try (FileChannel probe = DirectIo.openRead(source)) {
        assumeTrue(probe != null, "the temp dir's file system refuses O_DIRECT");
      }
    }
    try (FileContentStore parent = open("parent", directIo);
        FileContentStore child = open("child", directIo);
        FileContentStore grandchild = open("grandchild", directIo)) {
      ContentId id = parent.importFile(source, false, false).content().id();
      transfer(parent, child, id);
      transfer(child, grandchild, id);
      Path out = dir.resolve("out.bin");
      grandchild.materialize(id, out, true);
      assertArrayEquals(data, Files.readAllBytes(out));
    }
  }

  private FileContentStore open(String name, boolean directIo) {
    return FileContentStore.open(StoreSettings.defaults(dir.resolve(name)).withDirectIo(directIo));
  }

  private static void transfer(FileContentStore from, FileContentStore to, ContentId id) throws Exception {
    try (PieceServer server = PieceServer.start(new HostPort("127.0.0.1", 0), from, ServerSettings.defaults(),
        TransferMetrics.NOOP);
        PieceClient client = PieceClient.create(ClientSettings.defaults().withConnections(1, 8),
            TransferMetrics.NOOP)) {
      HostPort parent = new HostPort("127.0.0.1", server.port());
      PieceBitmap bitmap = client.bitmap(parent, id).get(5, TimeUnit.SECONDS);
      assertTrue(bitmap.complete());
      to.begin(id, bitmap.kind(), bitmap.layout());
      List<CompletableFuture<PieceResult>> futures = new ArrayList<>();
      for (int p = 0; p < bitmap.layout().pieceCount(); p++) {
        futures.add(client.fetch(parent, id, p, PieceSink.of(to.writePiece(id, p))));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertTrue(to.stat(id).orElseThrow().complete(), "the last commit verified the SHA-256");
      assertEquals(3, to.finishedPieces(id).cardinality());
    }
  }
}
