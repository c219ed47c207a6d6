package io.rayfile.d7y.peer.storage;

import static io.rayfile.d7y.peer.storage.StoreTestSupport.putThroughPieces;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.randomBytes;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.sha256;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryStoreTest {
  @TempDir Path tmp;
  private FileContentStore store;

  @BeforeEach
  void open() {
    store = FileContentStore.open(StoreTestSupport.settings(tmp.resolve("data"), StoreTestSupport.clock()));
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** A model-like tree: nested dirs, a duplicated file, an empty dir, an executable, symlinks inside the tree. */
  private Path tree() throws IOException {
    Path root = tmp.resolve("model");
    byte[] weights = randomBytes(300_000, 1);
    write(root.resolve("config.json"), "{\"layers\":2}".getBytes(StandardCharsets.UTF_8));
    write(root.resolve("weights/part-0.bin"), weights);
    write(root.resolve("weights/copy/part-0.bin"), weights);
    write(root.resolve("bin/run.sh"), "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(root.resolve("bin/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    write(root.resolve("empty.txt"), new byte[0]);
    Files.createDirectories(root.resolve("cache/empty"));
    Files.createSymbolicLink(root.resolve("latest"), Path.of("weights/part-0.bin"));
    Files.createSymbolicLink(root.resolve("weights/up"), Path.of("../config.json"));
    return root;
  }

  /** path -> what is there, comparing bytes, exec bit and link targets. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        if (p.equals(root)) {
          continue;
        }
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "link:" + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.put(rel, "dir");
        } else {
          boolean exec = Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
          try {
            out.put(rel, "file:" + sha256(Files.readAllBytes(p)) + ":exec=" + exec);
          } catch (Exception e) {
            throw new IOException(e);
          }
        }
      }
    }
    return out;
  }

  @Test
  void importAndMaterializeGiveTheSameTree() throws Exception {
    Path root = tree();
    Map<String, String> before = snapshot(root);

    ImportResult r = store.importDirectory(root, false, true);

    ContentInfo dir = r.content();
    assertEquals(ContentKind.DIRECTORY, dir.kind());
    assertTrue(dir.complete());
    assertEquals(12, dir.entryCount()); // 5 files, 5 dirs, 2 symlinks
    assertEquals(2 * 300_000 + 12 + 18, dir.treeBytes());
    // weights stored once: 4 distinct files + the manifest
    assertEquals(5, store.usage().contentCount());
    assertEquals(300_000 + 12 + 18 + dir.length(), r.storedBytes());

    Path out = store.materialize(dir.id(), tmp.resolve("jobs/1/model"), false);
    assertEquals(before, snapshot(out));
    assertTrue(Files.isDirectory(out.resolve("cache/empty")));
    assertTrue(Files.isSameFile(out.resolve("weights/part-0.bin"), out.resolve("weights/copy/part-0.bin")),
        "identical files are hard links of one stored content");
    assertTrue(Files.isExecutable(out.resolve("bin/run.sh")));
    assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("bin/run.sh"))));
    assertEquals("r--r--r--", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(out.resolve("config.json"))));
    assertArrayEquals(Files.readAllBytes(root.resolve("config.json")), Files.readAllBytes(out.resolve("weights/up")));

    Path writable = store.materialize(dir.id(), tmp.resolve("jobs/2/model"), true);
    assertEquals(before, snapshot(writable));
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(writable.resolve("bin/run.sh"))));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(writable.resolve("config.json"))));
    try (Stream<Path> siblings = Files.list(tmp.resolve("jobs/1"))) {
      assertEquals(List.of(out), siblings.toList(), "no temp dir left beside dest");
    }
  }

  @Test
  void directoryPinsCoverItsFilesAndImportIsDeterministic() throws Exception {
    Path root = tree();
    ContentInfo dir = store.importDirectory(root, false, true).content();
    for (ContentInfo c : store.list()) {
      assertEquals(1, c.pinCount(), c.id() + " pinned once (a file named twice is pinned once)");
    }
    store.unpin(dir.id());
    for (ContentInfo c : store.list()) {
      assertEquals(0, c.pinCount());
    }
    ImportResult again = store.importDirectory(root, false, false);
    assertEquals(dir.id(), again.content().id());
    assertEquals(0, again.storedBytes());
  }

  @Test
  void manifestIsCanonical() throws Exception {
    Path root = tmp.resolve("small");
    write(root.resolve("b"), new byte[] {1});
    write(root.resolve("a/x"), new byte[0]);
    Files.createDirectories(root.resolve("a-b"));
    ContentInfo dir = store.importDirectory(root, false, false).content();
    String json = Files.readString(store.dataFile(dir.id()));
    String empty = sha256(new byte[0]).toString();
    String one = sha256(new byte[] {1}).toString();
    assertEquals("{\"version\":1,\"entries\":["
        + "{\"path\":\"a\",\"type\":\"dir\"},"
        + "{\"path\":\"a-b\",\"type\":\"dir\"},"
        + "{\"path\":\"a/x\",\"type\":\"file\",\"size\":0,\"executable\":false,\"id\":\"" + empty + "\"},"
        + "{\"path\":\"b\",\"type\":\"file\",\"size\":1,\"executable\":false,\"id\":\"" + one + "\"}]}", json);
    assertEquals(sha256(json.getBytes(StandardCharsets.UTF_8)), dir.id());
    assertEquals(json, new String(Manifest.parse(json.getBytes(StandardCharsets.UTF_8)).toBytes(),
        StandardCharsets.UTF_8));
  }

  @Test
  void symlinkLeavingTheTreeIsRejectedAtImport() throws Exception {
    Path root = tmp.resolve("evil");
    write(root.resolve("ok.txt"), new byte[] {1});
    Files.createSymbolicLink(root.resolve("sub"), Path.of("."));
    Files.createDirectories(root.resolve("d"));
    Files.createSymbolicLink(root.resolve("d/escape"), Path.of("../../outside"));
    PeerException e = assertThrows(PeerException.class, () -> store.importDirectory(root, false, false));
    assertEquals(ErrorCode.BAD_MANIFEST, e.code());
    assertTrue(e.getMessage().contains("d/escape"), e.getMessage());
    assertEquals(0, store.usage().contentCount(), "nothing imported");

    Path abs = tmp.resolve("abs");
    write(abs.resolve("f"), new byte[] {1});
    Files.createSymbolicLink(abs.resolve("passwd"), Path.of("/etc/passwd"));
    PeerException a = assertThrows(PeerException.class, () -> store.importDirectory(abs, false, false));
    assertEquals(ErrorCode.BAD_MANIFEST, a.code());
    assertTrue(a.getMessage().contains("passwd"), a.getMessage());
  }

  @Test
  void aFailureHalfwayLeavesNoDestAndNoTempDir() throws Exception {
    Path root = tmp.resolve("t");
    write(root.resolve("a"), randomBytes(1000, 2));
    write(root.resolve("z"), randomBytes(1000, 3));
    ContentInfo dir = store.importDirectory(root, false, false).content();
    // Lose the data of the second file behind the store's back: linking it fails after 'a' was placed.
    ContentId z = sha256(Files.readAllBytes(root.resolve("z")));
    Files.delete(store.dataFile(z));
    Path dest = tmp.resolve("jobs/d");
    PeerException e = assertThrows(PeerException.class, () -> store.materialize(dir.id(), dest, false));
    assertEquals(ErrorCode.IO_ERROR, e.code());
    assertFalse(Files.exists(dest, LinkOption.NOFOLLOW_LINKS));
    try (Stream<Path> s = Files.list(tmp.resolve("jobs"))) {
      assertEquals(List.of(), s.toList());
    }
  }

  @Test
  void sizesDisagreeingWithContentsAreRejectedBeforeWriting() throws Exception {
    ContentId one = store.importFile(write(tmp.resolve("one"), new byte[] {1}), false, false).content().id();
    String json = "{\"version\":1,\"entries\":[{\"path\":\"f\",\"type\":\"file\",\"size\":2,\"executable\":false,"
        + "\"id\":\"" + one + "\"}]}";
    ContentId dir = putThroughPieces(store, json.getBytes(StandardCharsets.UTF_8), ContentKind.DIRECTORY);
    Path dest = tmp.resolve("out");
    PeerException e = assertThrows(PeerException.class, () -> store.materialize(dir, dest, false));
    assertEquals(ErrorCode.BAD_MANIFEST, e.code());
    assertTrue(e.getMessage().contains("'f'"), e.getMessage());
    assertFalse(Files.exists(dest));
    assertEquals(List.of("data", "one"), Files.list(tmp).map(p -> p.getFileName().toString()).sorted().toList());
  }

  @Test
  void missingFilesOfADirectoryAreReportedByPath() throws Exception {
    ContentId absent = sha256(new byte[] {42});
    String json = "{\"version\":1,\"entries\":[{\"path\":\"gone\",\"type\":\"file\",\"size\":1,\"executable\":false,"
        + "\"id\":\"" + absent + "\"}]}";
    ContentId dir = putThroughPieces(store, json.getBytes(StandardCharsets.UTF_8), ContentKind.DIRECTORY);
    PeerException e = assertThrows(PeerException.class, () -> store.materialize(dir, tmp.resolve("o"), false));
    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertTrue(e.getMessage().contains("'gone'"));
    assertFalse(Files.exists(tmp.resolve("o")));
  }
}
