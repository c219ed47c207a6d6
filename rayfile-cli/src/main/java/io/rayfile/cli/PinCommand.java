package io.rayfile.cli;

import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code rayfile pin ID}: add one pin (pinned contents are never evicted). */
@Command(name = "pin", description = "Add a pin: the content is never evicted while pinned.")
final class PinCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID")
  String id;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    ContentInfo c;
    try (NodeClient node = client.connect()) {
      c = node.pin(ContentId.parse(id));
    }
    print(client.json, c);
    return 0;
  }

  static void print(boolean json, ContentInfo c) {
    if (json) {
      Output.json(Output.content(c));
    } else {
      System.out.println(Output.line(c));
    }
  }
}
