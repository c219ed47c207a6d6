package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.grpc.NodeClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rayfile evict}: run one eviction pass now. */
@Command(name = "evict", description = "Run one eviction pass now (TTL, then LRU of unpinned contents above the "
    + "high watermark).")
final class EvictCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    NodeClient.Eviction e;
    try (NodeClient node = client.connect()) {
      e = node.evict();
    }
    if (client.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("evicted", e.result().evicted().stream().map(Object::toString).toList());
      m.put("freed_bytes", e.result().freedBytes());
      m.put("usage", Output.usage(e.usage()));
      Output.json(m);
    } else {
      e.result().evicted().forEach(id -> System.out.println("evicted " + id));
      System.out.println(ByteSize.format(e.result().freedBytes()) + " freed");
    }
    return 0;
  }
}
