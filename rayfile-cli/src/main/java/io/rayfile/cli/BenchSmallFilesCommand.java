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

  @Option(names = "--warmup", description = "Files fetched first and not counted, so the fresh daemons have "
      + "compiled their download path (default 3000: after 500, C2 still took 30% of the CPU of the timed run).")
  int warmup = 3000;


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
      int total = files + warmup;
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
      List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger next = new AtomicInteger();
      try (NodeClient c = fetcher.client()) {
        fetchAll(c, ids.subList(0, warmup), out, pool, new ArrayList<>(), new AtomicInteger());
        long start = System.nanoTime();
        fetchAll(c, ids.subList(warmup, total), out, pool, latencies, next);
        double seconds = (System.nanoTime() - start) / 1e9;
        Percentiles p = Percentiles.of(latencies);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("files", files);
        r.put("size", each);
        r.put("concurrency", concurrency);
        r.put("seconds", seconds);
        r.put("files_per_s", files / seconds);
        r.putAll(p.json());
        r.put("p99_over_p50", p.p99() / p.p50());
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

  private void fetchAll(NodeClient c, List<ContentId> ids, Path out, ExecutorService pool, List<Double> latencies,
      AtomicInteger next) throws Exception {
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    AtomicInteger index = new AtomicInteger();
    for (int lane = 0; lane < concurrency; lane++) {
      lanes.add(CompletableFuture.runAsync(() -> {
        for (int i; (i = index.getAndIncrement()) < ids.size(); ) {
          long t0 = System.nanoTime();
          c.download(ids.get(i), out.resolve(ids.get(i).hex()), false, (d, t) -> {});
          latencies.add((System.nanoTime() - t0) / 1e9);
          next.incrementAndGet();
        }
      }, pool));
    }
    CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
  }
}
