package io.rayfile.cli;

import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code rayfile pin ID}: add one pin (pinned contents are never evicted); {@link Unpin} removes one. */
@Command(name = "pin", description = "Add a pin: the content is never evicted while pinned.")
class PinCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID")
  String id;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    ContentInfo c;
    try (NodeClient node = client.connect()) {
      c = change(node, ContentId.parse(id));
    }
    if (client.json) {
      Output.json(Output.content(c));
    } else {
      System.out.println(Output.line(c));
    }
    return 0;
  }

  ContentInfo change(NodeClient node, ContentId contentId) {
    return node.pin(contentId);
  }

  /** {@code rayfile unpin ID}: remove one pin. */
  @Command(name = "unpin", description = "Remove a pin; an unpinned content is cache and may be evicted.")
  static final class Unpin extends PinCommand {
    @Override
    ContentInfo change(NodeClient node, ContentId contentId) {
      return node.unpin(contentId);
    }
  }
}
