package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rayfile bench pipe}: one parent, one child, one content, through the whole P2P path (scheduler, pieces,
 * CRCs, SHA-256 at the end, materialization) versus a baseline in the same run: the same file sent with plain
 * sendfile over loopback to a receiver writing it to disk, no hashing.
 */
@Command(name = "pipe", description = "One parent to one child through P2P versus plain sendfile, same run.")
final class BenchPipeCommand implements Callable<Integer> {
  @Option(names = "--size", description = "Content size (default 2GiB).")
  String size = "2GiB";

  @Option(names = "--rounds", description = "Alternate baseline and P2P this many times; report the median "
      + "(default 3). Disk writeback makes single runs noisy.")
  int rounds = 3;


  @Mixin
  BenchOptions options;

  @Override
  public Integer call() throws Exception {
    long bytes = ByteSize.parse(size).bytes();
    Path work = options.scratch("pipe");
    try (LocalCluster cluster = new LocalCluster(work.resolve("cluster"))) {
      Path content = work.resolve("content.bin");
      BenchImportCommand.writeRandom(content, bytes);
      cluster.startScheduler();
      LocalCluster.Node parent = cluster.startNode("parent");
      LocalCluster.Node child = cluster.startNode("child");
      ContentId id;
      try (NodeClient c = parent.client()) {
        id = c.importPath(content, false, false).content().id();
      }
      List<Double> baselines = new ArrayList<>();
      List<Double> p2ps = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        Path base = work.resolve("baseline.out");
        double b = sendfile(content, base, bytes);
        Files.delete(base);
        Path out = work.resolve("p2p.out");
        long start = System.nanoTime();
        try (NodeClient c = child.client()) {
          c.download(id, out, false, (d, t) -> {});
        }
        double p = (System.nanoTime() - start) / 1e9;
        try (NodeClient c = child.client()) {
          Files.delete(out);
          c.delete(id, true); // the next round fetches it again, not from the child's cache
        }
        baselines.add(b);
        p2ps.add(p);
        ratios.add(b / p);
      }
      double baseline = median(baselines);
      double p2p = median(p2ps);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("bytes", bytes);
      r.put("p2p_seconds", p2p);
      r.put("p2p_mb_per_s", bytes / 1e6 / p2p);
      r.put("sendfile_seconds", baseline);
      r.put("sendfile_mb_per_s", bytes / 1e6 / baseline);
      r.put("ratio", median(ratios));
      r.put("round_ratios", ratios);
      if (options.json) {
        Output.json(r);
      } else {
        System.out.printf("p2p %.0f MB/s, sendfile %.0f MB/s, median ratio %.2f (rounds %s)%n", bytes / 1e6 / p2p,
            bytes / 1e6 / baseline, median(ratios), ratios);
      }
      return 0;
    } finally {
      BenchImportCommand.deleteTree(work);
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  /** Plain sendfile (transferTo) over loopback into a receiver that writes to disk (transferFrom). */
  static double sendfile(Path file, Path out, long bytes) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      CompletableFuture<Void> receiver = CompletableFuture.runAsync(() -> {
        try (SocketChannel in = server.accept();
             FileChannel dst = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          long got = 0;
          while (got < bytes) {
            long n = dst.transferFrom(in, got, bytes - got);
            if (n <= 0) {
              throw new IOException("sender closed early at " + got);
            }
            got += n;
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      long start = System.nanoTime();
      try (SocketChannel s = SocketChannel.open(server.getLocalAddress());
           FileChannel src = FileChannel.open(file)) {
        long sent = 0;
        while (sent < bytes) {
          sent += src.transferTo(sent, bytes - sent, s);
        }
      }
      receiver.get();
      return (System.nanoTime() - start) / 1e9;
    }
  }
}
