package io.rayfile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scheduler and several node daemons, each its own process on loopback: the P2P promises under failure. */
class PeerToPeerIT {
  private static final long MIB = 1 << 20;

  @TempDir
  Path tmp;

  private LocalCluster cluster;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    cluster = new LocalCluster(tmp.resolve("cluster"));
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    cluster.close();
  }

  private ContentId put(LocalCluster.Node node, Path file) {
    try (NodeClient c = node.client()) {
      return c.importPath(file, false, true).content().id();
    }
  }

  private CompletableFuture<Path> getAsync(LocalCluster.Node node, String what, String outName) {
    return CompletableFuture.supplyAsync(() -> {
      try (NodeClient c = node.client()) {
        return c.download(NodeClient.DownloadSpec.of(what, tmp.resolve(outName)), (d, t) -> {}).path().orElseThrow();
      }
    }, pool);
  }

  /** Waits until {@code node} holds at least half the pieces of {@code id}; returns how many it held then. */
  private static int awaitHalfThePieces(LocalCluster.Node node, ContentId id) {
    int[] held = {0};
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
      try (NodeClient c = node.client()) {
        ContentInfo info = c.stat(id, false).content();
        held[0] = info.finishedPieces();
        return held[0] >= info.layout().pieceCount() / 2;
      } catch (PeerException notYet) {
        return false;
      }
    });
    return held[0];
  }

  private Path random(String name, long bytes) throws IOException {
    Path p = tmp.resolve(name);
    BenchImportCommand.writeRandom(p, bytes);
    return p;
  }

  @Test
  void sevenNodesShareOneContentReadingTheSeedAboutOnce() throws Exception {
    cluster.startScheduler();
    LocalCluster.Node seed = cluster.startNode("seed", "--upload-rate", "64MiB");
    List<LocalCluster.Node> peers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      peers.add(cluster.startNode("peer" + i));
    }
    Path src = random("content.bin", 256 * MIB);
    String expected = ModelTree.sha256(src);
    ContentId id = put(seed, src);

    List<CompletableFuture<Path>> gets = new ArrayList<>();
    for (int i = 0; i < peers.size(); i++) {
      gets.add(getAsync(peers.get(i), id.toString(), "out" + i));
    }
    for (CompletableFuture<Path> g : gets) {
      assertEquals(expected, ModelTree.sha256(g.get(5, TimeUnit.MINUTES)), "byte-identical copy");
    }
    double served = seed.metric("rayfile_peer_served_bytes_total");
    System.out.printf("seed served %.2f x the content to 6 peers%n", served / (256.0 * MIB));
    assertTrue(served <= 1.1 * 256 * MIB, "the seed (the origin here) served " + served / MIB + " MiB for a 256 MiB "
        + "content: more than 1.1 x");
  }

  @Test
  void aModelDirectoryFansOutToThreeNodesReadingTheOriginAboutOnce() throws Exception {
    cluster.startScheduler();
    LocalCluster.Node origin = cluster.startNode("origin");
    List<LocalCluster.Node> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      peers.add(cluster.startNode("peer" + i));
    }
    // 360 files: 120 shards of ~2 MiB (every tenth a duplicate) and 240 small ones. Every node fetches the same
    // files at the same time, so holders are often out of upload slots: the case that once sent children back to
    // the origin instead of waiting for a slot (1.5 x the model, measured with the demo).
    Path model = ModelTree.generateModel(tmp.resolve("model"), 256 * MIB, 120, 240);
    ContentInfo dir;
    try (NodeClient c = origin.client()) {
      dir = c.importPath(model, false, true).content();
    }
    long distinct = distinctBytes(model);
    List<CompletableFuture<Path>> gets = new ArrayList<>();
    for (LocalCluster.Node n : peers) {
      gets.add(getAsync(n, dir.id().toString(), n.name() + "-model"));
    }
    for (CompletableFuture<Path> g : gets) {
      assertTrue(ModelTree.sameTree(model, g.get(5, TimeUnit.MINUTES)), "identical tree");
    }
    double served = origin.metric("rayfile_peer_served_bytes_total");
    System.out.printf("origin served %.2f x the model's distinct bytes to 3 nodes%n", served / distinct);
    assertTrue(served <= 1.2 * distinct, "the origin served " + served / distinct + " x the model's distinct "
        + "bytes to 3 nodes fetching it together: at most 1.2 x");
  }

  @Test
  void servingAndDownloadingOneGibibyteStaysUnder512MiBResident() throws Exception {
    cluster.startScheduler();
    LocalCluster.Node server = cluster.startNode("server");
    LocalCluster.Node client = cluster.startNode("client");
    Path src = random("big.bin", 1024 * MIB);
    ContentId id = put(server, src);
    Path out = getAsync(client, id.toString(), "big-out").get(5, TimeUnit.MINUTES);
    assertEquals(-1, Files.mismatch(src, out));
    for (LocalCluster.Node n : List.of(server, client)) {
      long peakMib = peakResidentKib(n.process().pid()) >> 10;
      System.out.printf("%s peak RSS %d MiB after serving/downloading 1 GiB%n", n.name(), peakMib);
      assertTrue(peakMib < 512, n.name() + " peaked at " + peakMib + " MiB resident");
    }
  }

  /** Bytes of the tree's files, each distinct content counted once (identical files move once). */
  private static long distinctBytes(Path root) throws IOException {
    Map<String, Long> sizes = new HashMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        sizes.put(ModelTree.sha256(f), Files.size(f));
      }
    }
    return sizes.values().stream().mapToLong(Long::longValue).sum();
  }

  private static long peakResidentKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new AssertionError("no VmHWM for " + pid);
  }

  @Test
  void eachNodepoolPullsTheContentAcrossItsBoundaryAboutOnce() throws Exception {
    cluster.startScheduler();
    LocalCluster.Node origin = cluster.startNode("origin", "--nodepool", "pool-o", "--upload-rate", "64MiB");
    List<LocalCluster.Node> pool = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pool.add(cluster.startNode("a" + i, "--nodepool", "pool-a"));
      pool.add(cluster.startNode("b" + i, "--nodepool", "pool-b"));
    }
    Path src = random("content.bin", 64 * MIB);
    ContentId id = put(origin, src);
    List<CompletableFuture<Path>> gets = new ArrayList<>();
    for (LocalCluster.Node n : pool) {
      gets.add(getAsync(n, id.toString(), n.name() + "-out"));
    }
    for (CompletableFuture<Path> g : gets) {
      assertEquals(-1, Files.mismatch(src, g.get(3, TimeUnit.MINUTES)));
    }
    double fromOrigin = origin.metric("rayfile_peer_served_bytes_total") / (64.0 * MIB);
    double intoA = 0;
    for (LocalCluster.Node n : pool) {
      intoA += n.name().startsWith("a") ? n.metric("rayfile_peer_origin_bytes_total") : 0;
    }
    System.out.printf("origin served %.2f copies to 2 nodepools of 3 nodes%n", fromOrigin);
    assertTrue(fromOrigin <= 2.1, "the origin served " + fromOrigin + " copies to 2 nodepools: at most one each");
    assertTrue(intoA <= 1.05 * 64 * MIB, "nodepool a read the origin " + intoA / MIB + " MiB: about once");
  }

  @Test
  void childrenFinishWhenAParentIsKilledMidTransfer() throws Exception {
    cluster.startScheduler();
    LocalCluster.Node seed = cluster.startNode("seed", "--upload-rate", "32MiB");
    LocalCluster.Node fast = cluster.startNode("fast");
    LocalCluster.Node c1 = cluster.startNode("c1");
    LocalCluster.Node c2 = cluster.startNode("c2");
    Path src = random("content.bin", 128 * MIB);
    String expected = ModelTree.sha256(src);
    ContentId id = put(seed, src);
    getAsync(fast, id.toString(), "fast-out").get(2, TimeUnit.MINUTES); // a complete, unthrottled parent

    CompletableFuture<Path> g1 = getAsync(c1, id.toString(), "c1-out");
    CompletableFuture<Path> g2 = getAsync(c2, id.toString(), "c2-out");
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
        .until(() -> fast.metric("rayfile_peer_served_bytes_total") > 8 * MIB);
    fast.process().kill9(); // mid-transfer: children have pieces in flight from it

    assertEquals(expected, ModelTree.sha256(g1.get(3, TimeUnit.MINUTES)));
    assertEquals(expected, ModelTree.sha256(g2.get(3, TimeUnit.MINUTES)));
  }

  @Test
  void aDownloaderKilledHalfwayResumesFromItsPieces() throws Exception {
    cluster.startScheduler();
    LocalCluster.Node seed = cluster.startNode("seed", "--upload-rate", "48MiB");
    LocalCluster.Node child = cluster.startNode("child");
    Path src = random("content.bin", 256 * MIB);
    ContentId id = put(seed, src);
    getAsync(child, id.toString(), "ignored").exceptionally(e -> null); // dies with the process

    awaitHalfThePieces(child, id);
    child.process().kill9();
    child.process().restart();
    ContentInfo before;
    try (NodeClient c = child.client()) {
      before = c.stat(id, false).content();
    }
    int have = before.finishedPieces();
    assertTrue(have > 0 && have < before.layout().pieceCount(), "partial after restart: " + have);

    Path out = getAsync(child, id.toString(), "resumed").get(3, TimeUnit.MINUTES);
    assertEquals(-1, Files.mismatch(src, out));
    // counters start at 0 in the new process; the seed is this content's origin, so count both sources
    double fetched = child.metric("rayfile_peer_peer_bytes_total") + child.metric("rayfile_peer_origin_bytes_total");
    assertTrue(fetched > 0, "the resumed download fetched something");
    long remaining = before.length() - (long) have * before.layout().pieceLength();
    System.out.printf("resumed with %d/%d pieces; fetched %.1f MiB of %.1f MiB remaining%n", have,
        before.layout().pieceCount(), fetched / MIB, remaining / (double) MIB);
    assertTrue(fetched <= remaining + 2L * before.layout().pieceLength(),
        "fetched " + fetched + " bytes, remaining was " + remaining);
  }

  /**
   * Nodes started with --direct-io write and serve pieces past the page cache: three peers share a content, one of
   * them is killed halfway and restarted, and every copy ends byte-identical with the seed read about once.
   */
  @Test
  void directIoNodesShareAContentAndResumeAfterAKill() throws Exception {
    cluster.close();
    cluster = new LocalCluster(tmp.resolve("direct-cluster"), List.of("--direct-io"));
    cluster.startScheduler();
    LocalCluster.Node seed = cluster.startNode("seed", "--upload-rate", "48MiB");
    List<LocalCluster.Node> peers = List.of(cluster.startNode("peer0"), cluster.startNode("peer1"),
        cluster.startNode("peer2"));
    Path src = random("content.bin", 128 * MIB + 12345); // the last piece ends inside a block
    ContentId id = put(seed, src);
    for (int i = 0; i < peers.size(); i++) {
      getAsync(peers.get(i), id.toString(), "first" + i).exceptionally(e -> null); // peer0's dies with it
    }
    LocalCluster.Node victim = peers.get(0);
    int held = awaitHalfThePieces(victim, id);
    victim.process().kill9();
    victim.process().restart();
    for (int i = 0; i < peers.size(); i++) {
      Path out = getAsync(peers.get(i), id.toString(), "out" + i).get(3, TimeUnit.MINUTES);
      assertEquals(-1, Files.mismatch(src, out), "peer" + i + "'s copy");
    }
    // The seed sends each piece once, plus what the kill destroyed or hid: the pieces the victim held (the others
    // may fetch those from the seed while it is down; usually they already have most) and about four in flight
    // (partly sent, or received but not yet committed). Once per peer would be 3 x.
    double served = seed.metric("rayfile_peer_served_bytes_total");
    long pieceLength = PieceLayout.forLength(Files.size(src)).pieceLength();
    System.out.printf("direct I/O: the seed served %.1f MiB of %.1f MiB; the victim held %d pieces at the kill%n",
        served / MIB, Files.size(src) / (double) MIB, held);
    assertTrue(served <= Files.size(src) + (held + 4L) * pieceLength, "the seed served " + served / MIB
        + " MiB of a " + Files.size(src) / MIB + " MiB content; the victim held " + held + " pieces");
  }

  @Test
  void aCorruptPieceOnAParentIsDetectedAndFetchedElsewhere() throws Exception {
    cluster.startScheduler();
    LocalCluster.Node seed = cluster.startNode("seed", "--upload-rate", "32MiB");
    LocalCluster.Node liar = cluster.startNode("liar");
    LocalCluster.Node child = cluster.startNode("child");
    Path src = random("content.bin", 64 * MIB);
    ContentId id = put(seed, src);
    getAsync(liar, id.toString(), "liar-out").get(2, TimeUnit.MINUTES);
    // flip a byte in every other piece of the liar's stored copy: it still announces the old CRCs
    Path stored = liar.dataDir().resolve("content").resolve(id.shard()).resolve(id.hex());
    stored.toFile().setWritable(true);
    try (RandomAccessFile raf = new RandomAccessFile(stored.toFile(), "rw")) {
      for (long piece = 0; piece < 16; piece += 2) {
        long at = piece * 4 * MIB + 1000;
        raf.seek(at);
        int b = raf.read();
        raf.seek(at);
        raf.write(b ^ 0xff);
      }
    }
    Path out = getAsync(child, id.toString(), "child-out").get(3, TimeUnit.MINUTES);
    assertEquals(-1, Files.mismatch(src, out), "the child's copy is correct");
    assertTrue(child.metric("rayfile_peer_piece_failures_total") >= 1, "the child detected the bad piece(s)");
  }

  @Test
  void downloadsFinishWhenTheSchedulerIsKilled() throws Exception {
    cluster.startScheduler();
    LocalCluster.Node seed = cluster.startNode("seed");
    LocalCluster.Node child = cluster.startNode("child");
    Path src = random("content.bin", 32 * MIB);
    ContentId id = put(seed, src);
    cluster.scheduler().kill9();

    try (NodeClient c = child.client()) {
      Path out = c.download(new NodeClient.DownloadSpec(id.toString(), Optional.of(tmp.resolve("out")), false,
          Optional.empty(), 0, List.of(seed.data())), (d, t) -> {}).path().orElseThrow();
      assertEquals(-1, Files.mismatch(src, out));
    }
    String log = Files.readString(tmp.resolve("cluster/child.log"));
    assertTrue(log.contains("WARN") && log.contains("seed(s) the caller named"), "a warning says what happened");
  }

  @Test
  void contentsSpreadOverTwoSchedulersAndSurviveLosingOne() throws Exception {
    cluster.startScheduler();
    cluster.startScheduler();
    LocalCluster.Node holder = cluster.startNode("holder");
    LocalCluster.Node a = cluster.startNode("a");
    LocalCluster.Node b = cluster.startNode("b");
    List<Path> sources = new ArrayList<>();
    List<ContentId> ids = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Path src = random("small" + i + ".bin", MIB + i);
      sources.add(src);
      ids.add(put(holder, src));
    }
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(-1, Files.mismatch(sources.get(i), getAsync(a, ids.get(i).toString(), "a" + i)
          .get(1, TimeUnit.MINUTES)));
    }
    // the ring spread the 8 contents over both instances: each answered some downloads
    for (var s : cluster.schedulers()) {
      double decisions = LocalCluster.metrics(s).getOrDefault("rayfile_scheduler_decisions_total", 0.0);
      assertTrue(decisions > 0, s.dataDir().getFileName() + " made no scheduling decision");
    }
    cluster.schedulers().get(1).kill9(); // contents it owned fail over to the other instance
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(-1, Files.mismatch(sources.get(i), getAsync(b, ids.get(i).toString(), "b" + i)
          .get(1, TimeUnit.MINUTES)));
    }
  }

  @Test
  void originErrorsAreClearAndLeaveNothingBehind() throws Exception {
    LocalCluster.Node node = cluster.startNode("node", "--origin-timeout", "PT3S");
    try (TestOrigin origin = TestOrigin.start(tmp.resolve("origin.bin"), 20 * MIB);
         NodeClient c = node.client()) {
      Path ok = c.download(NodeClient.DownloadSpec.of(origin.url("/ok"), tmp.resolve("ok")), (d, t) -> {})
          .path().orElseThrow();
      assertEquals(-1, Files.mismatch(tmp.resolve("origin.bin"), ok));
      int before = c.list().contents().size();

      PeerException missing = assertThrows(PeerException.class, () -> c.download(
          NodeClient.DownloadSpec.of(origin.url("/missing"), tmp.resolve("m")), (d, t) -> {}));
      assertEquals(ErrorCode.NOT_FOUND, missing.code());
      assertTrue(missing.getMessage().contains("404"), missing.getMessage());

      PeerException broken = assertThrows(PeerException.class, () -> c.download(
          NodeClient.DownloadSpec.of(origin.url("/error"), tmp.resolve("e")), (d, t) -> {}));
      assertEquals(ErrorCode.UNAVAILABLE, broken.code());
      assertTrue(broken.getMessage().contains("500"), broken.getMessage());

      PeerException stalled = assertThrows(PeerException.class, () -> c.download(
          NodeClient.DownloadSpec.of(origin.url("/stall"), tmp.resolve("s")), (d, t) -> {}));
      assertEquals(ErrorCode.UNAVAILABLE, stalled.code());
      assertTrue(stalled.getMessage().contains("stall"), stalled.getMessage());

      assertEquals(before, c.list().contents().size(), "no partial content left behind");
      assertFalse(Files.exists(tmp.resolve("m")) || Files.exists(tmp.resolve("e")) || Files.exists(tmp.resolve("s")));
    }
  }
}
