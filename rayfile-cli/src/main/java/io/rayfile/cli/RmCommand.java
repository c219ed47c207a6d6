package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rayfile rm ID}: delete a content from the node. */
@Command(name = "rm", description = "Delete a content from the node (refused while pinned unless --force).")
final class RmCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID")
  String id;

  @Option(names = "--force", description = "Delete even when pinned.")
  boolean force;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    ContentId contentId = ContentId.parse(id);
    long freed;
    try (NodeClient node = client.connect()) {
      freed = node.delete(contentId, force);
    }
    if (client.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", contentId.toString());
      m.put("deleted", true);
      m.put("freed_bytes", freed);
      Output.json(m);
    } else {
      System.out.println("deleted " + contentId + " (" + ByteSize.format(freed) + " freed)");
    }
    return 0;
  }
}
