package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.time.Duration;

/**
 * Tuning of the download engine, validated when built.
 *
 * @param registerTimeout how long a download waits for the scheduler's first answer before falling back to the
 *     origin or a known seed (with a warning)
 * @param stallTimeout a download with no new piece for this long fails (it never hangs forever)
 * @param initialWindow piece requests in flight per parent at first
 * @param maxWindow most piece requests in flight per parent (the window grows on success, halves on trouble)
 * @param tick how often a download re-examines its parents (refreshes half-finished parents' bitmaps, heartbeats)
 * @param maxParents most parents fetched from at once
 * @param originTimeout an origin that sends nothing for this long (headers or body) fails the download
 */
public record DownloadSettings(Duration registerTimeout, Duration stallTimeout, int initialWindow, int maxWindow,
    Duration tick, int maxParents, Duration originTimeout) {
  public DownloadSettings {
    if (registerTimeout.isNegative() || registerTimeout.isZero() || stallTimeout.isNegative()
        || stallTimeout.isZero() || tick.isNegative() || tick.isZero() || originTimeout.isNegative()
        || originTimeout.isZero()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "download timeouts and tick must be > 0");
    }
    if (initialWindow < 1 || maxWindow < initialWindow || maxParents < 1) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "need 1 <= initialWindow <= maxWindow and maxParents >= 1, got " + initialWindow + "/" + maxWindow + "/"
              + maxParents);
    }
  }

  public static DownloadSettings defaults() {
    return new DownloadSettings(Duration.ofSeconds(5), Duration.ofSeconds(60), 2, 8, Duration.ofMillis(100), 8,
        Duration.ofSeconds(30));
  }

  public DownloadSettings withStallTimeout(Duration d) {
    return new DownloadSettings(registerTimeout, d, initialWindow, maxWindow, tick, maxParents, originTimeout);
  }

  public DownloadSettings withOriginTimeout(Duration d) {
    return new DownloadSettings(registerTimeout, stallTimeout, initialWindow, maxWindow, tick, maxParents, d);
  }

  public DownloadSettings withRegisterTimeout(Duration d) {
    return new DownloadSettings(d, stallTimeout, initialWindow, maxWindow, tick, maxParents, originTimeout);
  }
}
