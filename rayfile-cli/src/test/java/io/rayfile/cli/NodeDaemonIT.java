package io.rayfile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rayfile.d7y.peer.DaemonProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real daemon process driven by the real command line: restart after SIGKILL, damage, hostile input. */
class NodeDaemonIT {
  @TempDir
  Path tmp;

  private DaemonProcess daemon;

  @BeforeEach
  void startDaemon() {
    daemon = startNode(tmp.resolve("data"));
  }

  @AfterEach
  void stopDaemon() {
    daemon.close();
  }

  private DaemonProcess startNode(Path data) {
    return DaemonProcess.start(Main.class.getName(),
        List.of("node", "--data", data.toString(), "--api-port", "0", "--data-host", "127.0.0.1", "--data-port", "0"),
        data, tmp.resolve("node.log"));
  }

  private Cli.Result rayfile(String... args) {
    return Cli.run(tmp, Cli.with(daemon.api().toString(), args));
  }

  @Test
  void contentsSurviveSigkillAndComeBackIdentical() throws IOException {
    Path big = tmp.resolve("big.bin");
    BenchImportCommand.writeRandom(big, 256L << 20);
    Path tree = ModelTree.generate(tmp.resolve("tree"), 6, 1 << 20);
    Files.createDirectories(tree.resolve("a/b/c")); // three levels deep
    Files.copy(tree.resolve("config.json"), tree.resolve("a/b/c/config-copy.json"));

    JsonNode file = rayfile("put", big.toString(), "--json").ok().json();
    JsonNode dir = rayfile("put", tree.toString(), "--json").ok().json();
    assertEquals("file", file.path("kind").asText());
    assertEquals("directory", dir.path("kind").asText());
    long treeBytes = dir.path("tree_bytes").asLong();
    // shard-001 duplicates shard-000 and config-copy duplicates config: stored once each
    assertTrue(dir.path("stored_bytes").asLong() <= treeBytes - (1 << 20) + 4096,
        "duplicates stored once: stored " + dir.path("stored_bytes") + " of " + treeBytes);

    daemon.kill9();
    daemon.restart();

    JsonNode listing = rayfile("ls", "--json").ok().json();
    List<String> ids = new ArrayList<>();
    listing.path("contents").forEach(c -> ids.add(c.path("id").asText()));
    assertTrue(ids.contains(file.path("id").asText()), "file listed after restart: " + ids);
    assertTrue(ids.contains(dir.path("id").asText()), "directory listed after restart: " + ids);
    listing.path("contents").forEach(c -> assertEquals("complete", c.path("state").asText()));
    // the distinct files of the tree + its manifest + the big file: duplicates are one content each
    long distinctFiles;
    try (Stream<Path> walk = Files.walk(tree)) {
      distinctFiles = walk.filter(Files::isRegularFile).map(p -> {
        try {
          return ModelTree.sha256(p);
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }).distinct().count();
    }
    assertEquals(distinctFiles + 2, ids.size(), "one content per distinct file: " + ids);

    Path outFile = tmp.resolve("out/big.bin");
    Path outTree = tmp.resolve("out/tree");
    Files.createDirectories(outFile.getParent());
    rayfile("get", file.path("id").asText(), "-o", outFile.toString()).ok();
    rayfile("get", dir.path("id").asText(), "-o", outTree.toString()).ok();
    assertEquals(-1, Files.mismatch(big, outFile), "file bytes identical");
    assertTrue(ModelTree.sameTree(tree, outTree), "directory identical");
    assertTrue(Files.isDirectory(outTree.resolve("cache/empty")), "empty directory materialized");
    Process diff = new ProcessBuilder("diff", "-r", tree.toString(), outTree.toString()).inheritIO().start();
    assertEquals(0, waitFor(diff), "diff -r finds no difference");
    // root may write anything, so check the mode bits rather than Files.isWritable
    assertEquals("r--r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(outFile)), "materialized file is a read-only link to the store");
  }

  @Test
  void partialContentKeepsItsFinishedPiecesAcrossSigkill() throws Exception {
    daemon.stop(); // this test's writer owns the data directory first
    Path src = tmp.resolve("partial.bin");
    BenchImportCommand.writeRandom(src, 20L << 20); // five 4 MiB pieces
    String hex = ModelTree.sha256(src);
    Path data = tmp.resolve("data");
    Process writer = new ProcessBuilder(DaemonProcess.javaCommand(PartialWriterMain.class.getName(),
        List.of(data.toString(), src.toString(), hex, "0", "2", "4")))
        .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("writer.log").toFile())).start();
    try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(writer.getInputStream()))) {
      String line = out.readLine();
      assertTrue(line != null && line.startsWith("READY"), "writer ready: " + line + "\n"
          + Files.readString(tmp.resolve("writer.log")));
    }
    writer.destroyForcibly().waitFor(); // SIGKILL mid-download
    daemon = startNode(data);

    JsonNode stat = rayfile("stat", "sha256:" + hex, "--json").ok().json();
    assertEquals("partial", stat.path("state").asText());
    assertEquals(3, stat.path("finished_pieces").asInt(), stat.toString());
    assertEquals(5, stat.path("pieces").asInt());
    Cli.Result get = rayfile("get", "sha256:" + hex, "-o", tmp.resolve("nope").toString(), "--json");
    assertEquals("INCOMPLETE", get.json().path("error").path("code").asText());
    assertFalse(Files.exists(tmp.resolve("nope")));
  }

  @Test
  void bitFlipOnDiskIsReportedAndNeverServedAsGood() throws IOException {
    Path f = tmp.resolve("f.bin");
    BenchImportCommand.writeRandom(f, 9L << 20); // three 4 MiB pieces
    String id = rayfile("put", f.toString(), "--json").ok().json().path("id").asText();
    assertEquals(0, rayfile("stat", id, "--verify", "--json").exit());

    Path stored = tmp.resolve("data/content").resolve(id.substring(7, 9)).resolve(id.substring(7));
    assertTrue(Files.exists(stored), "content file at " + stored);
    stored.toFile().setWritable(true);
    try (RandomAccessFile raf = new RandomAccessFile(stored.toFile(), "rw")) {
      long at = (4L << 20) + 12345; // inside piece 1
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x01);
    }

    Cli.Result verify = rayfile("stat", id, "--verify", "--json");
    assertEquals(StatCommand.DAMAGED, verify.exit(), verify.stderr());
    JsonNode v = verify.json().path("verify");
    assertFalse(v.path("ok").asBoolean());
    assertEquals("[1]", v.path("bad_pieces").toString());
    Cli.Result get = rayfile("get", id, "-o", tmp.resolve("should-not-exist").toString(), "--json");
    assertEquals(1, get.exit(), "a damaged content is not served: " + get.stdout());
    assertFalse(Files.exists(tmp.resolve("should-not-exist")));
  }

  @Test
  void hostileInputGetsClearErrors() {
    Cli.Result badId = rayfile("stat", "sha256:nothex", "--json");
    assertEquals(1, badId.exit());
    assertEquals("INVALID_ARGUMENT", badId.json().path("error").path("code").asText());

    String unknown = "sha256:" + "ab".repeat(32);
    Cli.Result missing = rayfile("get", unknown, "-o", tmp.resolve("x").toString(), "--json");
    assertEquals("NOT_FOUND", missing.json().path("error").path("code").asText());
    assertTrue(missing.stderr().contains(unknown), missing.stderr());

    Cli.Result noSuchPath = rayfile("put", tmp.resolve("no/such/file").toString(), "--json");
    assertEquals("NOT_FOUND", noSuchPath.json().path("error").path("code").asText());

    Cli.Result down = Cli.run(tmp, "ls", "--json", "--node", "127.0.0.1:1");
    assertEquals("UNAVAILABLE", down.json().path("error").path("code").asText());
    assertTrue(down.stderr().contains("rayfile node"), "says what to check: " + down.stderr());

    Cli.Result badNode = Cli.run(tmp, "ls", "--node", "nonsense");
    assertEquals(1, badNode.exit());
    assertTrue(badNode.stderr().contains("HOST:PORT"), badNode.stderr());
  }

  @Test
  void pinsAreCountedAndGuardDeletion() throws IOException {
    Path f = tmp.resolve("p.bin");
    BenchImportCommand.writeRandom(f, 1000);
    String id = rayfile("put", f.toString(), "--json").ok().json().path("id").asText();
    assertEquals(1, rayfile("pin", id, "--json").ok().json().path("pin_count").asInt());
    Cli.Result refused = rayfile("rm", id, "--json");
    assertEquals("PINNED", refused.json().path("error").path("code").asText(), refused.stdout());
    assertEquals(0, rayfile("unpin", id, "--json").ok().json().path("pin_count").asInt());
    assertTrue(rayfile("rm", id, "--json").ok().json().path("deleted").asBoolean());
  }

  @Test
  void secondDaemonOnSameDataDirIsRefused() {
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> startNode(tmp.resolve("data")));
    assertTrue(e.getMessage().contains("another daemon"), e.getMessage());
  }

  @Test
  void daemonResidentMemoryStaysBoundedWhileImportingAndServingOneGibibyte() throws IOException {
    Path big = tmp.resolve("1g.bin");
    BenchImportCommand.writeRandom(big, 1L << 30);
    String id = rayfile("put", big.toString(), "--json").ok().json().path("id").asText();
    rayfile("get", id, "-o", tmp.resolve("1g-out.bin").toString(), "--writable").ok();
    assertEquals(0, rayfile("stat", id, "--verify").exit());
    long peakKib = peakResidentKib(daemon.pid());
    System.out.printf("daemon peak RSS after 1 GiB import + copy + verify: %d MiB%n", peakKib >> 10);
    assertTrue(peakKib < 512 * 1024, "daemon peak resident memory " + (peakKib >> 10) + " MiB >= 512 MiB");
    assertEquals(-1, Files.mismatch(big, tmp.resolve("1g-out.bin")));
  }

  /** VmHWM: the process's peak resident set, from the kernel. */
  private static long peakResidentKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new AssertionError("no VmHWM in /proc/" + pid + "/status");
  }

  private static int waitFor(Process p) {
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
