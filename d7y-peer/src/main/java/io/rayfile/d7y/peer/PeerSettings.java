package io.rayfile.d7y.peer;

import io.rayfile.d7y.peer.download.DownloadSettings;
import io.rayfile.d7y.peer.storage.StoreSettings;
import io.rayfile.d7y.peer.transfer.ServerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one peer daemon, validated when built.
 *
 * @param store the content store's settings (data directory, quota, watermarks, TTL)
 * @param api address of the local gRPC API; loopback unless the operator says otherwise
 * @param evictInterval how often the background eviction pass runs
 * @param data where the data plane (piece uploads to other peers) listens
 * @param advertiseIp the address other peers reach the data plane on (empty: the bind address, or this host's
 *     address when binding the wildcard)
 * @param schedulers scheduler instances (empty: no P2P scheduling; downloads use seeds and origins directly)
 * @param upload upload slots, queue and byte rate of the data plane
 * @param labels locality labels
 * @param hostId stable id of this node (empty: kept in {@code <data>/host-id}, created once)
 * @param metricsPort Prometheus {@code /metrics} port on the API host (0 = any free, -1 = off)
 * @param download download engine tuning
 */
public record PeerSettings(
    StoreSettings store,
    HostPort api,
    Duration evictInterval,
    HostPort data,
    String advertiseIp,
    List<HostPort> schedulers,
    ServerSettings upload,
    Labels labels,
    Optional<String> hostId,
    int metricsPort,
    DownloadSettings download) {

  /** Default port of the local API, so that {@code rayfile put} finds the local daemon without flags. */
  public static final int DEFAULT_API_PORT = 7070;
  /** Default data-plane port. */
  public static final int DEFAULT_DATA_PORT = 7071;

  public PeerSettings {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(upload, "upload");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(download, "download");
    schedulers = List.copyOf(schedulers);
    advertiseIp = advertiseIp == null ? "" : advertiseIp;
    if (evictInterval == null || evictInterval.isNegative() || evictInterval.isZero()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "evict interval must be > 0, got " + evictInterval);
    }
    if (metricsPort < -1 || metricsPort > 65535) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "metrics port must be -1..65535, got " + metricsPort);
    }
  }

  /**
   * Defaults for a data directory: local API on 127.0.0.1:7070, data plane on 0.0.0.0:7071, no scheduler, store
   * defaults, eviction every 30 s, metrics on any free port.
   */
  public static PeerSettings defaults(Path dataDir) {
    return new PeerSettings(StoreSettings.defaults(dataDir), new HostPort("127.0.0.1", DEFAULT_API_PORT),
        Duration.ofSeconds(30), new HostPort("0.0.0.0", DEFAULT_DATA_PORT), "", List.of(),
        ServerSettings.defaults(), Labels.NONE, Optional.empty(), 0, DownloadSettings.defaults());
  }

  public Path dataDir() {
    return store.dataDir();
  }

  public PeerSettings withApi(HostPort newApi) {
    return new PeerSettings(store, newApi, evictInterval, data, advertiseIp, schedulers, upload, labels, hostId,
        metricsPort, download);
  }

  public PeerSettings withSchedulers(List<HostPort> newSchedulers) {
    return new PeerSettings(store, api, evictInterval, data, advertiseIp, newSchedulers, upload, labels, hostId,
        metricsPort, download);
  }

  public PeerSettings withStore(StoreSettings newStore) {
    return new PeerSettings(newStore, api, evictInterval, data, advertiseIp, schedulers, upload, labels, hostId,
        metricsPort, download);
  }
}
