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
 * sendfile over loopback to a receiver writing it to disk, no hashing. {@link #measure} is the measurement itself,
 * also run by {@code bench stress} on two nodes of its own cluster.
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

  /**
   * What {@link #measure} found: per round, the sendfile and P2P times of the same content.
   *
   * @param bytes the content's size
   * @param sendfileSeconds the baseline's time, per round
   * @param p2pSeconds the P2P download's time, per round
   */
  record Result(long bytes, List<Double> sendfileSeconds, List<Double> p2pSeconds) {
    Result {
      sendfileSeconds = List.copyOf(sendfileSeconds);
      p2pSeconds = List.copyOf(p2pSeconds);
      if (sendfileSeconds.isEmpty() || sendfileSeconds.size() != p2pSeconds.size()) {
        throw new IllegalArgumentException("one sendfile and one P2P time per round, at least one round");
      }
    }

    double p2pMedianSeconds() {
      return median(p2pSeconds);
    }

    double sendfileMedianSeconds() {
      return median(sendfileSeconds);
    }

    /** The single-stream P2P figure: bytes / 10^6 over the median P2P time. */
    double p2pMbPerSecond() {
      return bytes / 1e6 / p2pMedianSeconds();
    }

    double sendfileMbPerSecond() {
      return bytes / 1e6 / sendfileMedianSeconds();
    }

    /** P2P speed over sendfile speed, per round. */
    List<Double> roundRatios() {
      List<Double> r = new ArrayList<>();
      for (int i = 0; i < p2pSeconds.size(); i++) {
        r.add(sendfileSeconds.get(i) / p2pSeconds.get(i));
      }
      return r;
    }

    double ratio() {
      return median(roundRatios());
    }

    /** The JSON {@code bench pipe} prints. */
    Map<String, Object> json() {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("bytes", bytes);
      r.put("p2p_seconds", p2pMedianSeconds());
      r.put("p2p_mb_per_s", p2pMbPerSecond());
      r.put("sendfile_seconds", sendfileMedianSeconds());
      r.put("sendfile_mb_per_s", sendfileMbPerSecond());
      r.put("ratio", ratio());
      r.put("round_ratios", roundRatios());
      return r;
    }

    @Override
    public String toString() {
      return String.format("p2p %.0f MB/s, sendfile %.0f MB/s, median ratio %.2f (rounds %s)", p2pMbPerSecond(),
          sendfileMbPerSecond(), ratio(), roundRatios());
    }
  }

  @Override
  public Integer call() throws Exception {
    long bytes = ByteSize.parse(size).bytes();
    Path work = options.scratch("pipe");
    try (LocalCluster cluster = options.cluster(work.resolve("cluster"))) {
      cluster.startScheduler();
      LocalCluster.Node parent = cluster.startNode("parent");
      LocalCluster.Node child = cluster.startNode("child");
      Result r = measure(parent, child, work, bytes, rounds);
      if (options.json) {
        Output.json(r.json());
      } else {
        System.out.println(r);
      }
      return 0;
    } finally {
      BenchImportCommand.deleteTree(work);
    }
  }

  /**
   * Writes {@code bytes} of random content under {@code work}, imports it on {@code parent}, then {@code rounds}
   * times: sends it with plain sendfile over loopback (the baseline) and downloads it to {@code child} through P2P,
   * deleting the child's copy after each round so the next one fetches again. Removes the content from both nodes
   * and every file it wrote before returning.
   */
  static Result measure(LocalCluster.Node parent, LocalCluster.Node child, Path work, long bytes, int rounds)
      throws Exception {
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
    }
    Path content = work.resolve("pipe-content.bin");
    BenchImportCommand.writeRandom(content, bytes);
    ContentId id;
    try (NodeClient c = parent.client()) {
      id = c.importPath(content, false, false).content().id();
    }
    List<Double> baselines = new ArrayList<>();
    List<Double> p2ps = new ArrayList<>();
    try {
      for (int round = 0; round < rounds; round++) {
        Path base = work.resolve("pipe-baseline.out");
        baselines.add(sendfile(content, base, bytes));
        Files.delete(base);
        Path out = work.resolve("pipe-p2p.out");
        long start = System.nanoTime();
        try (NodeClient c = child.client()) {
          c.download(id, out, false, (d, t) -> {});
        }
        p2ps.add((System.nanoTime() - start) / 1e9);
        try (NodeClient c = child.client()) {
          Files.delete(out);
          c.delete(id, true); // the next round fetches it again, not from the child's cache
        }
      }
    } finally {
      try (NodeClient c = parent.client()) {
        c.delete(id, true);
      }
      Files.deleteIfExists(content);
    }
    return new Result(bytes, baselines, p2ps);
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
