package io.rayfile.cli;

import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerSettings;
import io.rayfile.d7y.peer.grpc.NodeClient;
import picocli.CommandLine.Option;

/** Options shared by commands that talk to a node daemon. */
final class ClientOptions {
  @Option(names = "--node", paramLabel = "HOST:PORT",
      description = "Node daemon's local API (default: $RAYFILE_NODE or 127.0.0.1:" + PeerSettings.DEFAULT_API_PORT + ").")
  String node;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  NodeClient connect() {
    String target = node != null ? node : System.getenv().getOrDefault("RAYFILE_NODE",
        "127.0.0.1:" + PeerSettings.DEFAULT_API_PORT);
    return NodeClient.connect(HostPort.parse(target));
  }
}
