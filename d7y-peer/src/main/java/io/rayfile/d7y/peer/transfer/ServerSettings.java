package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.time.Duration;

/**
 * Settings of a {@link PieceServer}, validated when built.
 *
 * @param uploadSlots pieces sent at the same time by the whole daemon
 * @param uploadQueue connections that may wait for a slot; a request beyond that is refused with BUSY
 * @param uploadRate bytes per second for all uploads together; 0 = unlimited
 * @param rateBurst bytes that may go out back to back after an idle period (ignored when unlimited)
 * @param chunkSize piece bytes are sent as file regions of at most this many bytes, each paced by the rate
 * @param maxPiecesPerRequest most pieces one GET_PIECES may name (more: the request is refused)
 * @param maxInFlightPerConnection most requested pieces (and bitmaps) queued on one connection
 * @param idleTimeout a connection that sends nothing for this long while nothing is being sent to it is closed
 *     (this also ends clients that stall half-way through a frame)
 * @param writeTimeout a write (one chunk) that cannot complete for this long closes the connection: the client
 *     stopped reading
 * @param ioThreads event-loop threads; 0 = Netty's default (2 x cores)
 */
public record ServerSettings(
    int uploadSlots,
    int uploadQueue,
    long uploadRate,
    long rateBurst,
    int chunkSize,
    int maxPiecesPerRequest,
    int maxInFlightPerConnection,
    Duration idleTimeout,
    Duration writeTimeout,
    int ioThreads) {

  public ServerSettings {
    check(uploadSlots >= 1, "uploadSlots must be >= 1, got " + uploadSlots);
    check(uploadQueue >= 0, "uploadQueue must be >= 0, got " + uploadQueue);
    check(uploadRate >= 0, "uploadRate must be >= 0 bytes/s (0 = unlimited), got " + uploadRate);
    check(rateBurst >= 1, "rateBurst must be >= 1 byte, got " + rateBurst);
    check(chunkSize >= 4096, "chunkSize must be >= 4 KiB, got " + chunkSize);
    check(maxPiecesPerRequest >= 1 && maxPiecesPerRequest <= Protocol.MAX_PIECES_PER_FRAME,
        "maxPiecesPerRequest must be in 1.." + Protocol.MAX_PIECES_PER_FRAME + ", got " + maxPiecesPerRequest);
    check(maxInFlightPerConnection >= 1, "maxInFlightPerConnection must be >= 1, got " + maxInFlightPerConnection);
    check(idleTimeout != null && idleTimeout.toMillis() > 0, "idleTimeout must be > 0, got " + idleTimeout);
    check(writeTimeout != null && writeTimeout.toMillis() > 0, "writeTimeout must be > 0, got " + writeTimeout);
    check(ioThreads >= 0, "ioThreads must be >= 0, got " + ioThreads);
  }

  /**
   * 16 slots, 256 waiting connections, unlimited rate (burst 4 MiB when limited), 1 MiB chunks, 16 pieces per
   * request, 64 in flight per connection, 60 s idle, 30 s write timeout.
   */
  public static ServerSettings defaults() {
    return new ServerSettings(16, 256, 0, 4 << 20, 1 << 20, 16, 64, Duration.ofSeconds(60),
        Duration.ofSeconds(30), 0);
  }

  public ServerSettings withUploadSlots(int slots, int queue) {
    return new ServerSettings(slots, queue, uploadRate, rateBurst, chunkSize, maxPiecesPerRequest,
        maxInFlightPerConnection, idleTimeout, writeTimeout, ioThreads);
  }

  /** Rate in bytes per second (0 = unlimited) and burst in bytes. */
  public ServerSettings withUploadRate(long rate, long burst) {
    return new ServerSettings(uploadSlots, uploadQueue, rate, burst, chunkSize, maxPiecesPerRequest,
        maxInFlightPerConnection, idleTimeout, writeTimeout, ioThreads);
  }

  public ServerSettings withChunkSize(int size) {
    return new ServerSettings(uploadSlots, uploadQueue, uploadRate, rateBurst, size, maxPiecesPerRequest,
        maxInFlightPerConnection, idleTimeout, writeTimeout, ioThreads);
  }

  public ServerSettings withRequestLimits(int piecesPerRequest, int inFlightPerConnection) {
    return new ServerSettings(uploadSlots, uploadQueue, uploadRate, rateBurst, chunkSize, piecesPerRequest,
        inFlightPerConnection, idleTimeout, writeTimeout, ioThreads);
  }

  public ServerSettings withTimeouts(Duration idle, Duration write) {
    return new ServerSettings(uploadSlots, uploadQueue, uploadRate, rateBurst, chunkSize, maxPiecesPerRequest,
        maxInFlightPerConnection, idle, write, ioThreads);
  }

  public ServerSettings withIoThreads(int threads) {
    return new ServerSettings(uploadSlots, uploadQueue, uploadRate, rateBurst, chunkSize, maxPiecesPerRequest,
        maxInFlightPerConnection, idleTimeout, writeTimeout, threads);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "piece server settings: " + message);
    }
  }
}
