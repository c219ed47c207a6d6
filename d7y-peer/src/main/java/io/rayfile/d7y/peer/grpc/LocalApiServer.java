package io.rayfile.d7y.peer.grpc;

import io.rayfile.d7y.peer.NodeContents;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.download.DownloadEngine;
import io.rayfile.d7y.peer.download.Holdings;
import io.rayfile.d7y.peer.storage.ContentStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** The node daemon's local gRPC API server. */
public final class LocalApiServer implements AutoCloseable {
  private final Server server;

  private LocalApiServer(Server server) {
    this.server = server;
  }

  /**
   * Starts serving {@code store} (downloading through {@code engine}, telling the scheduler through
   * {@code holdings}) on {@code bind} (port 0 picks a free one; see {@link #port()}).
   *
   * @throws PeerException UNAVAILABLE when the address cannot be bound
   */
  public static LocalApiServer start(NodeContents contents, Holdings holdings, HostPort bind, Clock clock) {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(bind.host(), bind.port()))
        .addService(new NodeApiService(contents, holdings, clock))
        .maxInboundMessageSize(4 << 20)
        .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new PeerException(ErrorCode.UNAVAILABLE,
          "cannot listen on " + bind + " for the local API (" + e.getMessage()
              + "); is another daemon running? Choose another --api-port", e);
    }
    return new LocalApiServer(server);
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
