package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.time.Duration;

/**
 * Settings of an {@link OriginFetcher}, validated when built.
 *
 * @param parallelism range requests in flight per {@link OriginFetcher#fetch} call
 * @param stallTimeout longest wait for the origin's answer or its next bytes (see {@link SourceBackend})
 */
public record OriginFetchSettings(int parallelism, Duration stallTimeout) {
  public OriginFetchSettings {
    if (parallelism < 1 || parallelism > 64) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "origin parallelism must be in [1, 64], got "
          + parallelism);
    }
    if (stallTimeout == null || stallTimeout.isZero() || stallTimeout.isNegative()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "origin stall timeout must be > 0, got " + stallTimeout);
    }
  }

  /** 4 concurrent range requests, 30 s stall timeout. */
  public static OriginFetchSettings defaults() {
    return new OriginFetchSettings(4, Duration.ofSeconds(30));
  }
}
