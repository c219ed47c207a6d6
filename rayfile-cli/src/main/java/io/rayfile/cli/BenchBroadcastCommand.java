package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rayfile bench broadcast}: N nodes fetch one content whose origin (the node that holds it) uploads at a
 * capped rate. Run twice in one go, on loopback processes: (a) through the scheduler, P2P; (b) every node straight
 * from the origin. The baseline is {@code ideal_seconds = size / origin_rate}: one copy leaving the origin.
 */
@Command(name = "broadcast", description = "N nodes fetch one content from a rate-capped origin: P2P versus "
    + "every node straight from the origin, same run.")
final class BenchBroadcastCommand implements Callable<Integer> {
  @Option(names = "--peers", description = "Downloading nodes (default 8).")
  int peers = 8;

  @Option(names = "--size", description = "Content size (default 512MiB).")
  String size = "512MiB";

  @Option(names = "--origin-rate", description = "Origin upload rate per second (default 64MiB).")
  String originRate = "64MiB";

  @Option(names = "--skip-origin-only", description = "Run only the P2P half.")
  boolean skipOriginOnly;

  @Option(names = "--warmup", description = "Size of a separate content every node fetches first, untimed, so the "
      + "fresh daemons have compiled their download path (default 64MiB; 0 = measure cold JVMs).")
  String warmup = "64MiB";

  @Option(names = "--warmup-rounds", description = "Warm-up fetches, each of a new content that is deleted "
      + "everywhere afterwards (default 8: with 3, the JIT still took a fifth of the CPU of the timed run).")
  int warmupRounds = 8;

  @Mixin
  BenchOptions options;

  @Override
  public Integer call() throws Exception {
    long bytes = ByteSize.parse(size).bytes();
    long rate = ByteSize.parse(originRate).bytes();
    Path work = options.scratch("broadcast");
    try {
      Path content = work.resolve("content.bin");
      BenchImportCommand.writeRandom(content, bytes);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("size", bytes);
      r.put("peers", peers);
      r.put("origin_rate", rate);
      r.put("ideal_seconds", (double) bytes / rate);
      r.put("p2p", run(work.resolve("p2p"), content, true));
      if (!skipOriginOnly) {
        r.put("origin_only", run(work.resolve("origin-only"), content, false));
      }
      if (options.json) {
        Output.json(r);
      } else {
        System.out.println(r);
      }
      return 0;
    } finally {
      BenchImportCommand.deleteTree(work);
    }
  }

  /** One phase on a fresh cluster: the origin node holds the content, N nodes fetch it at once. */
  private Map<String, Object> run(Path root, Path content, boolean p2p) throws Exception {
    try (LocalCluster cluster = options.cluster(root)) {
      if (p2p) {
        cluster.startScheduler();
      }
      LocalCluster.Node origin = cluster.startNode("origin", "--upload-rate", originRate);
      List<LocalCluster.Node> nodes = new ArrayList<>();
      for (int i = 0; i < peers; i++) {
        nodes.add(cluster.startNode("node" + i));
      }
      Map<String, Long> jvms = new LinkedHashMap<>();
      if (p2p) {
        jvms.put("scheduler", cluster.scheduler().pid());
      }
      jvms.put("origin", origin.process().pid());
      nodes.forEach(n -> jvms.put(n.name(), n.process().pid()));
      jvms.put("client", ProcessHandle.current().pid());
      CpuClock cpu = new CpuClock(jvms);
      ExecutorService pool = Executors.newFixedThreadPool(peers);
      try {
        warmUp(origin, nodes, root, p2p, pool);
        ContentId id = importOn(origin, content);
        double servedBefore = origin.metric("rayfile_peer_served_bytes_total");
        Optional<CpuClock.Sample> cpuBefore = cpu.read();
        List<Double> seconds = fetchEverywhere(origin, nodes, id, root, "out", p2p, pool);
        Optional<CpuClock.Sample> cpuAfter = cpu.read();
        Percentiles p = Percentiles.of(seconds);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", p.max());
        m.put("origin_bytes", (long) (origin.metric("rayfile_peer_served_bytes_total") - servedBefore));
        m.put("p50_s", p.p50());
        m.put("p99_s", p.p99());
        cpuBefore.ifPresent(b -> cpuAfter.ifPresent(a -> m.put("cpu", CpuClock.report(b, a))));
        return m;
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * The warm-up rounds; why a fixed count and not "until the JIT settles" as in bench small-files: with ten JVMs on
   * two cores it never did here (after 30 and 40 rounds a node still compiled about 40 methods a second, and the
   * timed run was no faster than after 8).
   */
  private void warmUp(LocalCluster.Node origin, List<LocalCluster.Node> nodes, Path root, boolean p2p,
      ExecutorService pool) throws Exception {
    long bytes = ByteSize.parse(warmup).bytes();
    for (int round = 0; bytes > 0 && round < warmupRounds; round++) {
      warmUpRound(origin, nodes, root, bytes, round, p2p, pool);
    }
  }

  /**
   * One untimed fetch of a fresh content, deleted everywhere afterwards: the timed phase then starts with compiled
   * daemons but with none of the warm-up's bytes in the page cache or the stores.
   */
  private static void warmUpRound(LocalCluster.Node origin, List<LocalCluster.Node> nodes, Path root, long bytes,
      int round, boolean p2p, ExecutorService pool) throws Exception {
    Path w = root.resolve("warmup.bin");
    BenchImportCommand.writeRandom(w, bytes, 7 + round); // not a prefix of the timed content, nor of another round
    ContentId id = importOn(origin, w);
    Files.delete(w);
    fetchEverywhere(origin, nodes, id, root, "warmup", p2p, pool);
    for (LocalCluster.Node n : nodes) {
      Files.delete(root.resolve(n.name() + ".warmup"));
      try (NodeClient c = n.client()) {
        c.delete(id, true);
      }
    }
    try (NodeClient c = origin.client()) {
      c.delete(id, true);
    }
  }

  private static ContentId importOn(LocalCluster.Node origin, Path file) {
    try (NodeClient c = origin.client()) {
      return c.importPath(file, false, true).content().id();
    }
  }

  /** Every node fetches {@code id} at once; returns each one's seconds from the common start. */
  private static List<Double> fetchEverywhere(LocalCluster.Node origin, List<LocalCluster.Node> nodes, ContentId id,
      Path root, String suffix, boolean p2p, ExecutorService pool) throws Exception {
    long start = System.nanoTime();
    List<CompletableFuture<Double>> done = new ArrayList<>();
    for (LocalCluster.Node n : nodes) {
      done.add(CompletableFuture.supplyAsync(() -> {
        try (NodeClient c = n.client()) {
          c.download(new NodeClient.DownloadSpec(id.toString(), Optional.of(root.resolve(n.name() + "." + suffix)),
              false, Optional.empty(), 0, p2p ? List.of() : List.of(origin.data())), (d, t) -> {});
        }
        return (System.nanoTime() - start) / 1e9;
      }, pool));
    }
    List<Double> seconds = new ArrayList<>();
    for (CompletableFuture<Double> f : done) {
      seconds.add(f.get(30, TimeUnit.MINUTES));
    }
    return seconds;
  }
}
