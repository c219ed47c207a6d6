package io.rayfile.d7y.peer;

import io.rayfile.d7y.peer.storage.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one peer daemon, validated when built.
 *
 * @param store the content store's settings (data directory, quota, watermarks, TTL)
 * @param api address of the local gRPC API; loopback unless the operator says otherwise
 * @param evictInterval how often the background eviction pass runs
 */
public record PeerSettings(StoreSettings store, HostPort api, Duration evictInterval) {

  /** Default port of the local API, so that {@code rayfile put} finds the local daemon without flags. */
  public static final int DEFAULT_API_PORT = 7070;

  public PeerSettings {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(api, "api");
    if (evictInterval == null || evictInterval.isNegative() || evictInterval.isZero()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "evict interval must be > 0, got " + evictInterval);
    }
  }

  /** Defaults for a data directory: local API on 127.0.0.1:7070, store defaults, eviction every 30 s. */
  public static PeerSettings defaults(Path dataDir) {
    return new PeerSettings(StoreSettings.defaults(dataDir), new HostPort("127.0.0.1", DEFAULT_API_PORT),
        Duration.ofSeconds(30));
  }

  public Path dataDir() {
    return store.dataDir();
  }

  public PeerSettings withApi(HostPort newApi) {
    return new PeerSettings(store, newApi, evictInterval);
  }

  public PeerSettings withStore(StoreSettings newStore) {
    return new PeerSettings(newStore, api, evictInterval);
  }
}
