package io.rayfile.cli;

import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.VerifyReport;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rayfile stat ID [--verify]}. Exit code 4 when verification finds damage. */
@Command(name = "stat", description = "Describe a content; --verify re-reads it and checks every CRC32C and the "
    + "SHA-256 (exit code 4 when damaged).")
final class StatCommand implements Callable<Integer> {
  static final int DAMAGED = 4;

  @Parameters(paramLabel = "ID", arity = "0..1", description = "The content (not with --cluster).")
  String id;

  @Option(names = "--cluster", description = "The whole cluster instead: every node's store, live files and "
      + "cache-level hits (joins the cluster at --head).")
  boolean cluster;

  @picocli.CommandLine.Mixin
  HeadOptions head;

  @Option(names = "--verify", description = "Re-read the bytes and check them.")
  boolean verify;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    if (cluster) {
      return clusterStat();
    }
    if (id == null) {
      throw new io.rayfile.api.RayFileException(io.rayfile.api.RayFileException.Code.INVALID_ARGUMENT,
          "stat needs an ID, or --cluster");
    }
    NodeClient.StatResult r;
    try (NodeClient node = client.connect()) {
      r = node.stat(ContentId.parse(id), verify);
    }
    boolean damaged = r.verify().map(v -> !v.ok()).orElse(false);
    if (client.json) {
      Map<String, Object> m = new LinkedHashMap<>(Output.content(r.content()));
      r.verify().ifPresent(v -> m.put("verify", verifyJson(v)));
      Output.json(m);
    } else {
      System.out.println(Output.line(r.content()));
      r.verify().ifPresent(v -> System.out.println((v.ok() ? "verify: ok — " : "verify: DAMAGED — ") + v.detail()));
    }
    return damaged ? DAMAGED : 0;
  }

  private int clusterStat() {
    try (io.rayfile.runtime.driver.DriverRuntime rt = head.connect()) {
      io.rayfile.runtime.driver.ClusterStats s = rt.stats();
      java.util.List<Map<String, Object>> nodes = new java.util.ArrayList<>();
      for (io.rayfile.runtime.protocol.NodeStats n : s.nodes()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", n.nodeId());
        m.put("pinned_bytes", n.pinnedBytes());
        m.put("used_bytes", n.usedBytes());
        m.put("contents", n.contents());
        m.put("live_files", n.liveFiles());
        m.put("tasks_run", n.tasksRun());
        m.put("running", n.running());
        m.put("cache_hits", n.hits());
        m.put("cache_misses", n.misses());
        nodes.add(m);
      }
      if (client.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nodes", nodes);
        m.put("cache_hits", s.hits());
        m.put("pinned_bytes", s.pinnedBytes());
        Output.json(m);
      } else {
        nodes.forEach(n -> System.out.println(n));
        System.out.println("cache hits: " + s.hits() + "; pinned: " + s.pinnedBytes() + " bytes");
      }
      return 0;
    }
  }

  private static Map<String, Object> verifyJson(VerifyReport v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", v.ok());
    m.put("bad_pieces", v.badPieces());
    m.put("sha256_ok", v.sha256Ok());
    m.put("detail", v.detail());
    return m;
  }
}
