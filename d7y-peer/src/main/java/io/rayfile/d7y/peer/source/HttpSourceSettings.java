package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.time.Duration;

/**
 * Settings of an {@link HttpSourceBackend}, validated when built.
 *
 * @param connectTimeout longest wait for a TCP (and TLS) connection to the origin
 * @param maxRedirects redirects followed per request before giving up
 * @param maxSkipBytes when an origin ignores a {@code Range} and sends the whole body, a range starting at most this
 *     far in is still served by reading and discarding the bytes before it; further in, the fetch fails with
 *     {@link RangesIgnoredException}. 0 disables skipping (only ranges starting at 0 are served then).
 * @param bufferSize bytes read from the response per call (the chunk size a {@link RangeSink} sees)
 * @param userAgent the {@code User-Agent} header sent
 */
public record HttpSourceSettings(
    Duration connectTimeout, int maxRedirects, long maxSkipBytes, int bufferSize, String userAgent) {

  public HttpSourceSettings {
    if (connectTimeout == null || connectTimeout.isZero() || connectTimeout.isNegative()) {
      throw invalid("connectTimeout must be > 0 (e.g. 10s), got " + connectTimeout);
    }
    if (maxRedirects < 0 || maxRedirects > 20) {
      throw invalid("maxRedirects must be in [0, 20], got " + maxRedirects);
    }
    if (maxSkipBytes < 0) {
      throw invalid("maxSkipBytes must be >= 0, got " + maxSkipBytes);
    }
    if (bufferSize < 1024 || bufferSize > (4 << 20)) {
      throw invalid("bufferSize must be in [1 KiB, 4 MiB], got " + bufferSize);
    }
    if (userAgent == null || userAgent.isBlank()) {
      throw invalid("userAgent must be set");
    }
  }

  /** 10 s to connect, 5 redirects, skip up to 4 MiB of an origin ignoring ranges, 64 KiB reads. */
  public static HttpSourceSettings defaults() {
    return new HttpSourceSettings(Duration.ofSeconds(10), 5, 4L << 20, 64 << 10, "rayfile-d7y-peer");
  }

  public HttpSourceSettings withConnectTimeout(Duration d) {
    return new HttpSourceSettings(d, maxRedirects, maxSkipBytes, bufferSize, userAgent);
  }

  public HttpSourceSettings withMaxRedirects(int n) {
    return new HttpSourceSettings(connectTimeout, n, maxSkipBytes, bufferSize, userAgent);
  }

  public HttpSourceSettings withMaxSkipBytes(long n) {
    return new HttpSourceSettings(connectTimeout, maxRedirects, n, bufferSize, userAgent);
  }

  private static PeerException invalid(String message) {
    return new PeerException(ErrorCode.INVALID_ARGUMENT, "http origin settings: " + message);
  }
}
