package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.time.Duration;

/**
 * Settings of a {@link PieceClient}, validated when built.
 *
 * @param connectionsPerParent most connections kept open to one parent from one event loop (contents are spread
 *     over the loops by id: one content uses at most this many, a burst of small contents up to loops x this)
 * @param maxInFlightPerConnection requests pipelined on one connection before more wait on the client; keep it
 *     at or below the server's limit
 * @param maxQueuedPerParent requests that may wait on the client for one parent; beyond that a fetch fails with
 *     UNAVAILABLE at once (the caller is asking one parent for far more than it can deliver)
 * @param connectTimeout TCP connect time-out
 * @param readTimeout a connection with requests outstanding that receives nothing for this long is closed and its
 *     requests fail with UNAVAILABLE (a dead or stuck parent)
 * @param ioThreads event-loop threads; 0 = Netty's default (2 x cores)
 */
public record ClientSettings(
    int connectionsPerParent,
    int maxInFlightPerConnection,
    int maxQueuedPerParent,
    Duration connectTimeout,
    Duration readTimeout,
    int ioThreads) {

  public ClientSettings {
    check(connectionsPerParent >= 1, "connectionsPerParent must be >= 1, got " + connectionsPerParent);
    check(maxInFlightPerConnection >= 1, "maxInFlightPerConnection must be >= 1, got " + maxInFlightPerConnection);
    check(maxQueuedPerParent >= 0, "maxQueuedPerParent must be >= 0, got " + maxQueuedPerParent);
    check(connectTimeout != null && connectTimeout.toMillis() > 0, "connectTimeout must be > 0");
    check(readTimeout != null && readTimeout.toMillis() > 0, "readTimeout must be > 0");
    check(ioThreads >= 0, "ioThreads must be >= 0, got " + ioThreads);
  }

  /** 2 connections per parent and event loop, 4 in flight on each, 1024 queued, 5 s connect, 30 s read time-out. */
  public static ClientSettings defaults() {
    return new ClientSettings(2, 4, 1024, Duration.ofSeconds(5), Duration.ofSeconds(30), 0);
  }

  public ClientSettings withConnections(int perParent, int inFlightPerConnection) {
    return new ClientSettings(perParent, inFlightPerConnection, maxQueuedPerParent, connectTimeout, readTimeout,
        ioThreads);
  }

  public ClientSettings withMaxQueuedPerParent(int queued) {
    return new ClientSettings(connectionsPerParent, maxInFlightPerConnection, queued, connectTimeout, readTimeout,
        ioThreads);
  }

  public ClientSettings withTimeouts(Duration connect, Duration read) {
    return new ClientSettings(connectionsPerParent, maxInFlightPerConnection, maxQueuedPerParent, connect, read,
        ioThreads);
  }

  public ClientSettings withIoThreads(int threads) {
    return new ClientSettings(connectionsPerParent, maxInFlightPerConnection, maxQueuedPerParent, connectTimeout,
        readTimeout, threads);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "piece client settings: " + message);
    }
  }
}
