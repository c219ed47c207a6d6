package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.DaemonProcess;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ImportResult;
import io.rayfile.d7y.peer.storage.VerifyReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rayfile demo}: the main job, as far as it is built today — one real node daemon process: import a media
 * file and a model directory (with duplicated files), SIGKILL the daemon, restart it, and get everything back
 * byte-identical and verified. The multi-node cluster, P2P and task pipeline join it as their issues land.
 */
@Command(name = "demo", description = "Run the demo on a local node daemon and print a report.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", description = "Work directory (default: a new temp dir, removed afterwards).")
  Path dir;

  @Option(names = "--file-size", description = "Size of the media file (default 256MiB).")
  String fileSize = "256MiB";

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    boolean ownDir = dir == null;
    Path work = ownDir ? Files.createTempDirectory("rayfile-demo-") : Files.createDirectories(dir);
    Map<String, Object> report = new LinkedHashMap<>();
    try {
      Path media = work.resolve("input/media.bin");
      Files.createDirectories(media.getParent());
      long mediaBytes = ByteSize.parse(fileSize).bytes();
      BenchImportCommand.writeRandom(media, mediaBytes);
      Path model = ModelTree.generate(work.resolve("input/model"), 24, 4 << 20);

      Path data = work.resolve("node");
      List<String> nodeArgs = List.of("node", "--data", data.toString(), "--api-port", "0");
      try (DaemonProcess daemon = DaemonProcess.start(Main.class.getName(), nodeArgs, data,
          work.resolve("node.log"))) {
        say("node daemon pid %d serving on %s", daemon.pid(), daemon.api());
        ImportResult file;
        ImportResult tree;
        long t0 = System.nanoTime();
        try (NodeClient node = NodeClient.connect(daemon.api())) {
          file = node.importPath(media, false, true);
          tree = node.importPath(model, false, true);
        }
        double putSeconds = (System.nanoTime() - t0) / 1e9;
        say("put %s -> %s", ByteSize.format(mediaBytes), file.content().id());
        say("put model (%d entries, %s) -> %s, %s stored (duplicates once)", tree.content().entryCount(),
            ByteSize.format(tree.content().treeBytes()), tree.content().id(), ByteSize.format(tree.storedBytes()));

        daemon.kill9();
        say("SIGKILLed the daemon; restarting on the same data directory");
        long t1 = System.nanoTime();
        daemon.restart();
        double restartSeconds = (System.nanoTime() - t1) / 1e9;

        Path out = work.resolve("output");
        Files.createDirectories(out);
        NodeClient.Listing listing;
        VerifyReport verify;
        long t2 = System.nanoTime();
        try (NodeClient node = NodeClient.connect(daemon.api())) {
          listing = node.list();
          node.download(file.content().id(), out.resolve("media.bin"), false, (d, t) -> {});
          node.download(tree.content().id(), out.resolve("model"), false, (d, t) -> {});
          verify = node.stat(file.content().id(), true).verify().orElseThrow();
        }
        double getSeconds = (System.nanoTime() - t2) / 1e9;
        boolean fileSame = sha256(media).equals(sha256(out.resolve("media.bin")));
        boolean treeSame = ModelTree.sameTree(model, out.resolve("model"));
        say("after restart: %d contents listed; media identical: %s; model identical: %s; verify: %s",
            listing.contents().size(), fileSame, treeSame, verify.detail());

        report.put("nodes", 1);
        report.put("file", Map.of("bytes", mediaBytes, "id", file.content().id().toString(), "identical", fileSame));
        report.put("model", Map.of("bytes", tree.content().treeBytes(), "entries", tree.content().entryCount(),
            "stored_bytes", tree.storedBytes(), "id", tree.content().id().toString(), "identical", treeSame));
        report.put("contents_after_restart", listing.contents().size());
        report.put("pinned_bytes", listing.usage().pinnedBytes());
        report.put("seconds", Map.of("put", putSeconds, "restart", restartSeconds, "get_and_verify", getSeconds));
        report.put("put_mb_per_s", (mediaBytes + tree.content().treeBytes()) / 1e6 / putSeconds);
        if (!fileSame || !treeSame || !verify.ok()
            || listing.contents().stream().noneMatch(ContentInfo::complete)) {
          throw new PeerException(ErrorCode.INTERNAL, "demo found a difference after restart: " + report);
        }
      }
      if (json) {
        Output.json(report);
      } else {
        System.out.println("demo ok: " + report);
      }
      return 0;
    } finally {
      if (ownDir) {
        BenchImportCommand.deleteTree(work);
      }
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
