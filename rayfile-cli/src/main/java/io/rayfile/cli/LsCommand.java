package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.grpc.NodeClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rayfile ls}: every content on the node and the store's usage. */
@Command(name = "ls", description = "List the contents the node holds and its usage.")
final class LsCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    NodeClient.Listing l;
    try (NodeClient node = client.connect()) {
      l = node.list();
    }
    if (client.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("contents", l.contents().stream().map(Output::content).toList());
      m.put("usage", Output.usage(l.usage()));
      Output.json(m);
    } else {
      l.contents().forEach(c -> System.out.println(Output.line(c)));
      System.out.printf("%d contents, %s used (%s pinned) of %s%n", l.usage().contentCount(),
          ByteSize.format(l.usage().usedBytes()), ByteSize.format(l.usage().pinnedBytes()),
          ByteSize.format(l.usage().quotaBytes()));
    }
    return 0;
  }
}
