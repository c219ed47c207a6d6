package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rayfile bench small-files}: files that live on another node, each fetched through the scheduler and
 * materialized, C at a time. Reports files/s and per-file latency percentiles as a client of the local API sees
 * them (request sent to materialized path returned).
 */
@Command(name = "small-files", description = "Small files living on another node, fetched through the scheduler "
    + "and materialized: files/s and latency percentiles.")
final class BenchSmallFilesCommand implements Callable<Integer> {
  @Option(names = "--files", description = "Number of files (default 2000).")
  int files = 2000;

  @Option(names = "--size", description = "Size of each file (default 1MiB).")
  String size = "1MiB";

  @Option(names = "--concurrency", description = "Fetches in flight (default 1).")
  int concurrency = 1;

  @Option(names = "--warmup", description = "Fetches before the timed run, not counted, at least (default 3000). "
      + "Warm-up goes on past this until every JVM (scheduler, both nodes, this client) spent at most 2%% of a "
      + "round compiling, or --warmup-max fetches: a long-running node is compiled, fresh daemons are not.")
  int warmup = 3000;

  @Option(names = "--warmup-max", description = "Most warm-up fetches (default 30000; also stops after 5 minutes).")
  int warmupMax = 30_000;

  /** Files fetched per warm-up round, then deleted from the fetcher so the next round fetches them again. */
  private static final int WARMUP_SET = 500;
  /** A JVM is warm when it compiles for at most this share of a round's wall time. */
  private static final double SETTLED_JIT_SHARE = 0.02;
  private static final long WARMUP_NANOS = TimeUnit.MINUTES.toNanos(5);

  @Mixin
  BenchOptions options;

  @Override
  public Integer call() throws Exception {
    int each = Math.toIntExact(ByteSize.parse(size).bytes());
    Path work = options.scratch("small");
    try (LocalCluster cluster = options.cluster(work.resolve("cluster"))) {
      cluster.startScheduler();
      LocalCluster.Node holder = cluster.startNode("holder");
      LocalCluster.Node fetcher = cluster.startNode("fetcher");
      int warmSet = Math.min(WARMUP_SET, warmup);
      int total = files + warmSet;
      List<ContentId> ids = new ArrayList<>(total);
      Path src = work.resolve("src");
      Files.createDirectories(src);
      SplittableRandom random = new SplittableRandom(11);
      byte[] buf = new byte[each];
      try (NodeClient c = holder.client()) {
        for (int i = 0; i < total; i++) {
          random.nextBytes(buf);
          Path f = src.resolve("f" + i);
          Files.write(f, buf);
          ids.add(c.importPath(f, true, true).content().id());
        }
      }
      Path out = work.resolve("out");
      Files.createDirectories(out);
      ExecutorService pool = Executors.newFixedThreadPool(concurrency);
      JitClock jit = new JitClock(Map.of("scheduler", cluster.scheduler(), "holder", holder.process(),
          "fetcher", fetcher.process()));
      try (NodeClient c = fetcher.client()) {
        long warmStart = System.nanoTime();
        int warmed = warmUp(c, ids.subList(0, warmSet), out, pool, jit);
        double warmSeconds = (System.nanoTime() - warmStart) / 1e9;
        CpuClock cpu = new CpuClock(Map.of("scheduler", cluster.scheduler().pid(), "holder", holder.process().pid(),
            "fetcher", fetcher.process().pid(), "client", ProcessHandle.current().pid()));
        Optional<CpuClock.Sample> cpuBefore = cpu.read();
        long start = System.nanoTime();
        List<Double> latencies = fetchAll(c, ids.subList(warmSet, total), out, pool);
        double seconds = (System.nanoTime() - start) / 1e9;
        Optional<CpuClock.Sample> cpuAfter = cpu.read();
        Percentiles p = Percentiles.of(latencies);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("files", files);
        r.put("size", each);
        r.put("concurrency", concurrency);
        r.put("seconds", seconds);
        r.put("files_per_s", files / seconds);
        r.putAll(p.json());
        r.put("p99_over_p50", p.p99() / p.p50());
        r.put("warmup_files", warmed);
        r.put("warmup_seconds", warmSeconds);
        cpuBefore.ifPresent(b -> cpuAfter.ifPresent(a -> r.put("cpu", CpuClock.report(b, a))));
        if (options.json) {
          Output.json(r);
        } else {
          System.out.printf("%d files of %s at concurrency %d: %.0f files/s, %s%n", files, size, concurrency,
              files / seconds, p);
        }
      } finally {
        pool.shutdownNow();
      }
      return 0;
    } finally {
      BenchImportCommand.deleteTree(work);
    }
  }

  /**
   * Fetches {@code set} round after round, deleting the fetched copies after each, until at least {@link #warmup}
   * fetches are done and the JIT has settled, or {@link #warmupMax} fetches or 5 minutes have passed.
   *
   * @return the number of warm-up fetches
   */
  private int warmUp(NodeClient c, List<ContentId> set, Path out, ExecutorService pool, JitClock jit)
      throws Exception {
    int fetched = 0;
    if (set.isEmpty()) {
      return fetched;
    }
    long deadline = System.nanoTime() + WARMUP_NANOS;
    while (fetched < warmupMax && System.nanoTime() < deadline) {
      Map<String, Double> before = jit.read();
      long t0 = System.nanoTime();
      fetchAll(c, set, out, pool);
      double wallMs = (System.nanoTime() - t0) / 1e6;
      Map<String, Double> spent = jit.since(before);
      fetched += set.size();
      for (ContentId id : set) {
        Files.deleteIfExists(out.resolve(id.hex()));
        c.delete(id, true);
      }
      double share = JitClock.maxShare(spent, wallMs);
      System.err.printf("warm-up: %d fetches, %.0f files/s, JIT took up to %.1f%% of the round (ms %s)%n", fetched,
          set.size() / (wallMs / 1e3), 100 * share, spent);
      if (fetched >= warmup && share <= SETTLED_JIT_SHARE) {
        return fetched;
      }
    }
    System.err.printf("warm-up: stopped after %d fetches before the JIT settled%n", fetched);
    return fetched;
  }

  /** Fetches {@code ids} into {@code out}, {@link #concurrency} at a time; returns each fetch's seconds. */
  private List<Double> fetchAll(NodeClient c, List<ContentId> ids, Path out, ExecutorService pool)
      throws Exception {
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    AtomicInteger index = new AtomicInteger();
    for (int lane = 0; lane < concurrency; lane++) {
      lanes.add(CompletableFuture.runAsync(() -> {
        for (int i; (i = index.getAndIncrement()) < ids.size(); ) {
          long t0 = System.nanoTime();
          c.download(ids.get(i), out.resolve(ids.get(i).hex()), false, (d, t) -> {});
          latencies.add((System.nanoTime() - t0) / 1e9);
        }
      }, pool));
    }
    CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
    return latencies;
  }
}
