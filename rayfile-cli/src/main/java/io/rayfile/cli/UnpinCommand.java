package io.rayfile.cli;

import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code rayfile unpin ID}: remove one pin. */
@Command(name = "unpin", description = "Remove a pin; an unpinned content is cache and may be evicted.")
final class UnpinCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID")
  String id;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    ContentInfo c;
    try (NodeClient node = client.connect()) {
      c = node.unpin(ContentId.parse(id));
    }
    PinCommand.print(client.json, c);
    return 0;
  }
}
