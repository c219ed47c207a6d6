package io.rayfile.d7y.peer.storage;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Settings of a {@link FileContentStore}, validated when built.
 *
 * @param dataDir root of the store: {@code content/}, {@code meta/} and {@code tmp/} live under it
 * @param quotaBytes the most bytes of contents the store holds (partial contents count at full length)
 * @param highWatermark fraction of the quota above which an eviction pass starts evicting, in (0, 1]
 * @param lowWatermark fraction of the quota an eviction pass evicts down to, in (0, highWatermark]
 * @param ttl unpinned contents idle longer than this are evicted; {@link Duration#ZERO} means no TTL
 * @param clock time source (tests pass a fixed or manual clock)
 * @param expectedContents how many contents the metadata map is sized for (it grows to 20x this before failing)
 * @param directIo write downloaded pieces, read them back for hashing and serve them with O_DIRECT: past the page
 *     cache (see {@link DirectIo}); where the file system refuses it, the store uses buffered I/O. Imports still go
 *     through the cache and are served from it
 */
public record StoreSettings(
    Path dataDir,
    long quotaBytes,
    double highWatermark,
    double lowWatermark,
    Duration ttl,
    Clock clock,
    int expectedContents,
    boolean directIo) {

  /** Quota used by {@link #defaults} when the file system's size cannot be read. */
  public static final long FALLBACK_QUOTA = 100L << 30;
  public static final int DEFAULT_EXPECTED_CONTENTS = 100_000;

  public StoreSettings {
    if (dataDir == null) {
      throw invalid("dataDir must be set: the directory the store keeps its contents and metadata in");
    }
    if (quotaBytes <= 0) {
      throw invalid("quotaBytes must be > 0, got " + quotaBytes);
    }
    if (!(highWatermark > 0 && highWatermark <= 1)) {
      throw invalid("highWatermark must be in (0, 1] (a fraction of the quota, e.g. 0.90), got " + highWatermark);
    }
    if (!(lowWatermark > 0 && lowWatermark <= highWatermark)) {
      throw invalid("lowWatermark must be in (0, highWatermark=" + highWatermark + "] (e.g. 0.75), got "
          + lowWatermark);
    }
    if (ttl == null || ttl.isNegative()) {
      throw invalid("ttl must be >= 0 (0 means contents never expire), got " + ttl);
    }
    if (clock == null) {
      throw invalid("clock must be set (use Clock.systemUTC())");
    }
    if (expectedContents < 16) {
      throw invalid("expectedContents must be >= 16, got " + expectedContents);
    }
  }

  /** Settings with buffered I/O. */
  public StoreSettings(Path dataDir, long quotaBytes, double highWatermark, double lowWatermark, Duration ttl,
      Clock clock, int expectedContents) {
    this(dataDir, quotaBytes, highWatermark, lowWatermark, ttl, clock, expectedContents, false);
  }

  /** Settings with the default metadata capacity and buffered I/O. */
  public StoreSettings(Path dataDir, long quotaBytes, double highWatermark, double lowWatermark, Duration ttl,
      Clock clock) {
    this(dataDir, quotaBytes, highWatermark, lowWatermark, ttl, clock, DEFAULT_EXPECTED_CONTENTS);
  }

  /**
   * Defaults for {@code dataDir}: a quota of 90% of the file system holding it, watermarks 0.90 / 0.75, no TTL,
   * the system clock, buffered I/O (docs/storage.md says why not direct).
   */
  public static StoreSettings defaults(Path dataDir) {
    if (dataDir == null) {
      throw invalid("dataDir must be set");
    }
    return new StoreSettings(dataDir, defaultQuota(dataDir), 0.90, 0.75, Duration.ZERO, Clock.systemUTC());
  }

  public StoreSettings withQuotaBytes(long quota) {
    return new StoreSettings(dataDir, quota, highWatermark, lowWatermark, ttl, clock, expectedContents, directIo);
  }

  public StoreSettings withWatermarks(double high, double low) {
    return new StoreSettings(dataDir, quotaBytes, high, low, ttl, clock, expectedContents, directIo);
  }

  public StoreSettings withTtl(Duration newTtl) {
    return new StoreSettings(dataDir, quotaBytes, highWatermark, lowWatermark, newTtl, clock, expectedContents,
        directIo);
  }

  public StoreSettings withClock(Clock newClock) {
    return new StoreSettings(dataDir, quotaBytes, highWatermark, lowWatermark, ttl, newClock, expectedContents,
        directIo);
  }

  public StoreSettings withExpectedContents(int n) {
    return new StoreSettings(dataDir, quotaBytes, highWatermark, lowWatermark, ttl, clock, n, directIo);
  }

  public StoreSettings withDirectIo(boolean direct) {
    return new StoreSettings(dataDir, quotaBytes, highWatermark, lowWatermark, ttl, clock, expectedContents, direct);
  }

  /** True when a TTL is configured. */
  public boolean hasTtl() {
    return !ttl.isZero();
  }

  private static long defaultQuota(Path dataDir) {
    Path p = dataDir.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return FALLBACK_QUOTA;
    }
    try {
      long total = Files.getFileStore(p).getTotalSpace();
      return total > 0 ? (long) (total * 0.9) : FALLBACK_QUOTA;
    } catch (IOException e) {
      return FALLBACK_QUOTA;
    }
  }

  private static PeerException invalid(String message) {
    return new PeerException(ErrorCode.INVALID_ARGUMENT, "store settings: " + message);
  }
}
