package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an origin said about a content when probed.
 *
 * @param length content length in bytes
 * @param rangesSupported true when the origin answers byte-range requests with partial content; false means the
 *     content can only be streamed whole (see {@link OriginFetcher})
 * @param etag the entity tag, as sent (with quotes, and {@code W/} when weak), if any
 * @param lastModified the {@code Last-Modified} value, as sent, if any
 */
public record SourceInfo(long length, boolean rangesSupported, Optional<String> etag, Optional<String> lastModified) {
  public SourceInfo {
    if (length < 0) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "content length must be >= 0, got " + length);
    }
    Objects.requireNonNull(etag, "etag");
    Objects.requireNonNull(lastModified, "lastModified");
  }

  /**
   * Request headers that make later range requests fail (HTTP 412, mapped to CORRUPT_CONTENT) when the origin's
   * content changed since this probe: {@code If-Match} with a strong ETag, else {@code If-Unmodified-Since} with
   * the Last-Modified date, else nothing (a weak ETag cannot be used with {@code If-Match}). Object stores honour
   * the same headers.
   */
  public Map<String, String> unchangedConditions() {
    if (etag.isPresent() && !etag.get().startsWith("W/")) {
      return Map.of("If-Match", etag.get());
    }
    return lastModified.map(lm -> Map.of("If-Unmodified-Since", lm)).orElse(Map.of());
  }
}
