package io.rayfile.d7y.peer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one peer daemon, validated when built.
 *
 * @param dataDir where contents and metadata live; one daemon per directory
 * @param api address of the local gRPC API; loopback unless the operator says otherwise
 * @param quotaBytes store quota; 0 = 80% of the data directory's file system
 * @param highWatermark eviction starts above this fraction of the quota
 * @param lowWatermark eviction stops below this fraction of the quota
 * @param ttl unpinned contents idle longer than this are evicted; zero = never
 * @param evictInterval how often the background eviction pass runs
 */
public record PeerSettings(
    Path dataDir,
    HostPort api,
    long quotaBytes,
    double highWatermark,
    double lowWatermark,
    Duration ttl,
    Duration evictInterval) {

  /** Default port of the local API, so that {@code rayfile put} finds the local daemon without flags. */
  public static final int DEFAULT_API_PORT = 7070;

  public PeerSettings {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(evictInterval, "evictInterval");
    if (quotaBytes < 0) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "quota must be >= 0, got " + quotaBytes);
    }
    if (!(lowWatermark > 0 && lowWatermark < highWatermark && highWatermark <= 1)) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "watermarks must satisfy 0 < low < high <= 1, got low=" + lowWatermark + " high=" + highWatermark);
    }
    if (ttl.isNegative() || evictInterval.isNegative() || evictInterval.isZero()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "ttl must be >= 0 and evict interval > 0");
    }
  }

  /** Defaults for a data directory: local API on 127.0.0.1:7070, quota 80% of the disk, no TTL. */
  public static PeerSettings defaults(Path dataDir) {
    return new PeerSettings(dataDir, new HostPort("127.0.0.1", DEFAULT_API_PORT), 0, 0.90, 0.75,
        Duration.ZERO, Duration.ofSeconds(30));
  }

  public PeerSettings withApi(HostPort api) {
    return new PeerSettings(dataDir, api, quotaBytes, highWatermark, lowWatermark, ttl, evictInterval);
  }

  public PeerSettings withQuota(long quotaBytes) {
    return new PeerSettings(dataDir, api, quotaBytes, highWatermark, lowWatermark, ttl, evictInterval);
  }

  public PeerSettings withTtl(Duration ttl) {
    return new PeerSettings(dataDir, api, quotaBytes, highWatermark, lowWatermark, ttl, evictInterval);
  }
}
