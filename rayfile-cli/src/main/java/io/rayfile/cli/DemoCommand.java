package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ImportResult;
import io.rayfile.d7y.peer.storage.VerifyReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rayfile demo}: the main job, as far as it is built today. A scheduler and several node daemons, each a
 * real process with its own ports and data directory. The first node imports a media file and a model directory
 * (duplicated shards stored once), is SIGKILLed and restarted, and keeps everything; then every other node fetches
 * both at once, peer to peer, and the report compares the bytes read from the origin node with the bytes
 * delivered. The task runtime and the media pipeline join it as their issues land.
 */
@Command(name = "demo", description = "Run the demo on a local cluster (scheduler + nodes) and print a report.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", description = "Work directory (default: a new temp dir, removed afterwards).")
  Path dir;

  @Option(names = "--nodes", description = "Node daemons (default 4).")
  int nodes = 4;

  @Option(names = "--file-size", description = "Size of the media file (default 256MiB).")
  String fileSize = "256MiB";

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    boolean ownDir = dir == null;
    Path work = ownDir ? Files.createTempDirectory("rayfile-demo-") : Files.createDirectories(dir);
    try (LocalCluster cluster = new LocalCluster(work.resolve("cluster"))) {
      Path media = work.resolve("input/media.bin");
      Files.createDirectories(media.getParent());
      long mediaBytes = ByteSize.parse(fileSize).bytes();
      BenchImportCommand.writeRandom(media, mediaBytes);
      Path model = ModelTree.generate(work.resolve("input/model"), 48, 4 << 20);

      cluster.startScheduler();
      List<LocalCluster.Node> all = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        all.add(cluster.startNode("node" + i));
      }
      LocalCluster.Node origin = all.get(0);
      say("scheduler + %d node daemons up (each its own process, ports and data directory)", nodes);

      ImportResult file;
      ImportResult tree;
      long t0 = System.nanoTime();
      try (NodeClient c = origin.client()) {
        file = c.importPath(media, false, true);
        tree = c.importPath(model, false, true);
      }
      double putSeconds = (System.nanoTime() - t0) / 1e9;
      long treeBytes = tree.content().treeBytes();
      say("node0 imported %s of media and a model of %d entries (%s, %s stored: duplicates once) in %.1f s",
          ByteSize.format(mediaBytes), tree.content().entryCount(), ByteSize.format(treeBytes),
          ByteSize.format(tree.storedBytes()), putSeconds);

      origin.process().kill9();
      long t1 = System.nanoTime();
      origin.process().restart();
      double restartSeconds = (System.nanoTime() - t1) / 1e9;
      int kept;
      VerifyReport verify;
      try (NodeClient c = origin.client()) {
        kept = c.list().contents().size();
        verify = c.stat(file.content().id(), true).verify().orElseThrow();
      }
      say("node0 SIGKILLed and restarted in %.1f s: %d contents kept; %s", restartSeconds, kept, verify.detail());

      long t2 = System.nanoTime();
      List<CompletableFuture<Boolean>> copies = new ArrayList<>();
      for (LocalCluster.Node n : all.subList(1, all.size())) {
        copies.add(CompletableFuture.supplyAsync(() -> fetchBoth(n, file.content().id(), tree.content().id(),
            media, model, work)));
      }
      long identical = copies.stream().filter(CompletableFuture::join).count();
      double p2pSeconds = (System.nanoTime() - t2) / 1e9;
      long delivered = (long) (all.size() - 1) * (mediaBytes + tree.storedBytes());
      long originServed = (long) origin.metric("rayfile_peer_served_bytes_total");
      long peerServed = 0;
      for (LocalCluster.Node n : all.subList(1, all.size())) {
        peerServed += (long) n.metric("rayfile_peer_served_bytes_total");
      }
      say("%d nodes fetched both at once in %.1f s, peer to peer: %d identical copies", all.size() - 1, p2pSeconds,
          identical);
      say("bytes delivered %s; read from the origin node %s (%.2f x one copy); served between peers %s",
          ByteSize.format(delivered), ByteSize.format(originServed),
          originServed / (double) (mediaBytes + tree.storedBytes()), ByteSize.format(peerServed));

      Map<String, Object> report = new LinkedHashMap<>();
      report.put("nodes", nodes);
      report.put("media", Map.of("bytes", mediaBytes, "id", file.content().id().toString()));
      report.put("model", Map.of("bytes", treeBytes, "entries", tree.content().entryCount(),
          "stored_bytes", tree.storedBytes(), "id", tree.content().id().toString()));
      report.put("restart", Map.of("seconds", restartSeconds, "contents_kept", kept, "verified", verify.ok()));
      report.put("p2p", Map.of("seconds", p2pSeconds, "copies_identical", identical,
          "bytes_delivered", delivered, "origin_bytes", originServed, "peer_bytes", peerServed));
      report.put("put_seconds", putSeconds);
      if (identical != all.size() - 1 || !verify.ok() || kept == 0) {
        throw new PeerException(ErrorCode.INTERNAL, "demo found a difference: " + report);
      }
      if (json) {
        Output.json(report);
      } else {
        System.out.println("demo ok");
      }
      return 0;
    } finally {
      if (ownDir) {
        BenchImportCommand.deleteTree(work);
      }
    }
  }

  private static boolean fetchBoth(LocalCluster.Node n, ContentId fileId, ContentId treeId, Path media, Path model,
      Path work) {
    Path out = work.resolve("output").resolve(n.name());
    try (NodeClient c = n.client()) {
      Files.createDirectories(out);
      CompletableFuture<Path> f = CompletableFuture.supplyAsync(
          () -> c.download(fileId, out.resolve("media.bin"), false, (d, t) -> {}));
      Path t = c.download(treeId, out.resolve("model"), false, (d, tt) -> {});
      return sha256(media).equals(sha256(f.join())) && ModelTree.sameTree(model, t);
    } catch (IOException e) {
      throw new PeerException(ErrorCode.IO_ERROR, "demo output on " + n.name() + ": " + e.getMessage(), e);
    }
  }

  private void say(String format, Object... args) {
    System.err.printf("demo: " + format + "%n", args);
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
