package io.rayfile.d7y.peer.source;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One kind of origin (http(s) today; object stores later). Implementations are thread-safe; every failure is an
 * {@link io.rayfile.d7y.peer.PeerException} whose message names the URL without its query string:
 * NOT_FOUND (no such object), INVALID_ARGUMENT (access denied, bad URL or headers), UNAVAILABLE (cannot reach,
 * 5xx, stalled, or the origin cannot serve ranges), CORRUPT_CONTENT (the origin sent other bytes than asked, or
 * the content changed).
 *
 * <p>Timeouts are stall timeouts: the longest wait for the origin's answer or for its next bytes. A large range
 * arriving steadily never times out; an origin that stops sending does, whatever the phase.
 */
public interface SourceBackend {

  /** True when this backend can fetch {@code url} (normally: it knows its scheme). */
  boolean supports(URI url);

  /**
   * Asks the origin for the content's length, whether it serves byte ranges, and its validators.
   *
   * @param headers extra request headers (credentials, for example); never logged
   * @param timeout stall timeout
   */
  SourceInfo probe(URI url, Map<String, String> headers, Duration timeout);

  /**
   * Streams bytes {@code [offset, offset + length)} of the content into {@code sink}, in order, without holding
   * the range on the heap. Returns once exactly {@code length} bytes were delivered; fails otherwise (the sink may
   * then have seen a prefix of the range: its owner discards it).
   *
   * @param headers extra request headers, e.g. {@link SourceInfo#unchangedConditions()}
   * @param timeout stall timeout
   */
  void fetchRange(URI url, Map<String, String> headers, long offset, long length, RangeSink sink, Duration timeout);
}
