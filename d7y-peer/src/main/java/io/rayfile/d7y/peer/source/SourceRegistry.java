package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The origins a node can fetch from: picks the first backend that {@link SourceBackend#supports supports} a URL
 * (normally by scheme) and delegates to it, so it is itself a {@link SourceBackend}. Object-store backends are
 * added by listing them here.
 *
 * <pre>{@code
 * SourceRegistry sources = SourceRegistry.of(new HttpSourceBackend(HttpSourceSettings.defaults()));
 * SourceInfo info = sources.probe(URI.create("https://example.com/model.bin"), Map.of(), Duration.ofSeconds(30));
 * }</pre>
 */
public final class SourceRegistry implements SourceBackend {
  private final List<SourceBackend> backends;

  private SourceRegistry(List<SourceBackend> backends) {
    this.backends = List.copyOf(backends);
  }

  /** A registry trying {@code backends} in order. */
  public static SourceRegistry of(SourceBackend... backends) {
    return new SourceRegistry(List.of(backends));
  }

  /** The backend for {@code url}; INVALID_ARGUMENT when none supports it. */
  public SourceBackend backendFor(URI url) {
    for (SourceBackend b : backends) {
      if (b.supports(url)) {
        return b;
      }
    }
    String known = backends.stream().map(b -> b.getClass().getSimpleName()).collect(Collectors.joining(", "));
    throw new PeerException(ErrorCode.INVALID_ARGUMENT, "no origin backend can fetch " + UrlTask.redact(url)
        + " (scheme '" + url.getScheme() + "'); this node has: " + (known.isEmpty() ? "none" : known));
  }

  @Override
  public boolean supports(URI url) {
    return backends.stream().anyMatch(b -> b.supports(url));
  }

  @Override
  public SourceInfo probe(URI url, Map<String, String> headers, Duration timeout) {
    return backendFor(url).probe(url, headers, timeout);
  }

  @Override
  public void fetchRange(URI url, Map<String, String> headers, long offset, long length, RangeSink sink,
      Duration timeout) {
    backendFor(url).fetchRange(url, headers, offset, length, sink, timeout);
  }
}
