package io.rayfile.d7y.peer.storage;

import static io.rayfile.d7y.peer.storage.StoreTestSupport.crc;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.randomBytes;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.sha256;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the store on a real 8 MiB tmpfs (needs root, which CI and this machine have; skipped where mount fails). */
class DiskFullTest {
  private static final int MIB = 1 << 20;

  @TempDir Path tmp;
  private Path mount;
  private boolean mounted;

  @BeforeEach
  void mountTmpfs() throws Exception {
    mount = tmp.resolve("small-disk");
    Files.createDirectories(mount);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    mounted = p.waitFor() == 0;
    assumeTrue(mounted, "cannot mount a tmpfs here (not root?): " + out);
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
    }
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void diskFullFailsOnlyThatImportAndCleansUp() throws Exception {
    byte[] small = randomBytes(MIB, 1);
    byte[] big = randomBytes(16 * MIB, 2);
    Path smallSrc = write(tmp.resolve("src/small"), small);
    Path bigSrc = write(tmp.resolve("src/big"), big);
    try (FileContentStore store = FileContentStore.open(StoreTestSupport.settings(mount, StoreTestSupport.clock()))) {
      ContentId kept = store.importFile(smallSrc, false, false).content().id();
      List<String> contentBefore = list(mount.resolve("content"));

      PeerException e = assertThrows(PeerException.class, () -> store.importFile(bigSrc, false, false));

      assertEquals(ErrorCode.DISK_FULL, e.code(), e.toString());
      assertTrue(e.getMessage().contains(bigSrc.toString()), e.getMessage());
      assertEquals(List.of(), list(mount.resolve("tmp")));
      assertEquals(contentBefore, list(mount.resolve("content")));
      assertEquals(1, store.usage().contentCount());
      assertTrue(store.verify(kept).ok());
      assertArrayEquals(small, Files.readAllBytes(store.dataFile(kept)));

      // The piece path: a download that runs out of space is dropped, the rest stays.
      ContentId id = sha256(big);
      PieceLayout layout = new PieceLayout(big.length, MIB);
      store.begin(id, ContentKind.FILE, layout);
      PeerException pe = assertThrows(PeerException.class, () -> {
        for (int p = 0; p < layout.pieceCount(); p++) {
          try (PieceWriter w = store.writePiece(id, p)) {
            w.write(ByteBuffer.wrap(big, p * MIB, MIB));
            w.commit(crc(big, p * MIB, MIB));
          }
        }
      });
      assertEquals(ErrorCode.DISK_FULL, pe.code(), pe.toString());
      assertTrue(pe.getMessage().contains(id.toString()), pe.getMessage());
      assertTrue(store.stat(id).isEmpty(), "its partial data is removed");
      assertEquals(contentBefore, list(mount.resolve("content")));
      assertTrue(store.verify(kept).ok());
      // And the store still works.
      ContentId after = store.importFile(write(tmp.resolve("src/after"), randomBytes(1000, 3)), false, false)
          .content().id();
      assertTrue(store.stat(after).orElseThrow().complete());
    }
  }
}
