package io.rayfile.cli;

import io.rayfile.api.NodeInfo;
import io.rayfile.api.RayFileException;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.runtime.driver.DriverRuntime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rayfile preheat ID --nodes all|label=value}: nodes fetch a content ahead of need, peer to peer. */
@Command(name = "preheat", description = "Fetch a content onto nodes ahead of need (peer to peer: the origin is "
    + "read about once). It stays there as cache, unpinned.")
final class PreheatCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID", description = "sha256:<hex>")
  String id;

  @Option(names = "--nodes", description = "all (default), or label=value (e.g. nodepool=gpu-a), or a node id.")
  String nodes = "all";

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Mixin
  HeadOptions head;

  @Override
  public Integer call() {
    String content = ContentId.parse(id).toString(); // rejects a malformed id before joining the cluster
    Predicate<NodeInfo> select = selector(nodes);
    long t0 = System.nanoTime();
    try (DriverRuntime rt = head.connect()) {
      long selected = rt.nodes().stream().filter(select).count();
      if (selected == 0) {
        throw new RayFileException(RayFileException.Code.NOT_FOUND, "no node matches --nodes " + nodes
            + " (nodes: " + rt.nodes().stream().map(NodeInfo::id).toList() + ")");
      }
      AtomicInteger done = new AtomicInteger();
      Map<String, String> result = rt.preheat(content, select, (node, outcome) -> System.err.printf(
          "preheat: %s %s (%d/%d)%n", node, outcome, done.incrementAndGet(), selected));
      double seconds = (System.nanoTime() - t0) / 1e9;
      boolean ok = result.values().stream().noneMatch(v -> v.startsWith("error"));
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", content);
        m.put("nodes", result);
        m.put("seconds", seconds);
        m.put("ok", ok);
        Output.json(m);
      } else {
        System.out.printf("preheated %s on %d nodes in %.1f s%s%n", content, result.size(), seconds,
            ok ? "" : " (some failed: " + result + ")");
      }
      return ok ? 0 : 1;
    }
  }

  static Predicate<NodeInfo> selector(String spec) {
    if (spec.equals("all")) {
      return n -> true;
    }
    int eq = spec.indexOf('=');
    if (eq > 0) {
      String key = spec.substring(0, eq);
      String value = spec.substring(eq + 1);
      return n -> value.equals(n.labels().get(key));
    }
    return n -> n.id().equals(spec);
  }
}
