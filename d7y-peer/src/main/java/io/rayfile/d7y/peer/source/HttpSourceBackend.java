package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * http(s) origins on {@link HttpClient} (HTTP/1.1, so parallel ranges use parallel connections).
 *
 * <p><b>Probe</b>: {@code HEAD}; when the origin refuses it (403, as presigned GET URLs do; 405; 501) or does not
 * say both its length and {@code Accept-Ranges: bytes}, a {@code GET} with {@code Range: bytes=0-0} settles it
 * (206 with {@code Content-Range} = ranges supported; 200 = whole body only).
 *
 * <p><b>Ranges</b>: one {@code GET} with {@code Range: bytes=first-last} per call. A 206 must carry a
 * {@code Content-Range} naming exactly the asked range (and a {@code Content-Length}, if any, of its size), and
 * exactly that many bytes; anything else is CORRUPT_CONTENT. An origin that ignores {@code Range} and answers 200
 * with the whole body is served by reading and discarding the bytes before the range when it starts at most
 * {@link HttpSourceSettings#maxSkipBytes()} in (then the connection is dropped after the range), else the call
 * fails with {@link RangesIgnoredException}: such an origin is best read in one pass, which
 * {@link OriginFetcher} does when the probe says {@code rangesSupported == false}.
 *
 * <p><b>Time-outs</b>: connecting is bounded by {@link HttpSourceSettings#connectTimeout()}; the {@code timeout}
 * argument bounds the wait for response headers and every wait for the next body bytes (a watchdog closes a
 * stalled body stream, since {@link HttpRequest#timeout} covers the headers only). Time spent inside the sink does
 * not count.
 *
 * <p><b>Redirects</b> are followed by hand, at most {@link HttpSourceSettings#maxRedirects()}: relative
 * {@code Location}s resolved, https -> http refused, and {@code Authorization}/{@code Cookie} headers dropped
 * when the redirect leaves the original scheme, host and port.
 */
public final class HttpSourceBackend implements SourceBackend, AutoCloseable {
  private static final Set<String> SCHEMES = Set.of("http", "https");
  private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "cookie");
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)", Pattern.CASE_INSENSITIVE);

  private final HttpSourceSettings settings;
  private final HttpClient client;
  private final ScheduledExecutorService watchdog;

  public HttpSourceBackend(HttpSourceSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rayfile-origin-watchdog");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public boolean supports(URI url) {
    return url != null && url.getScheme() != null && url.getHost() != null
        && SCHEMES.contains(url.getScheme().toLowerCase(Locale.ROOT));
  }

  // ---------------------------------------------------------------- probe

  @Override
  public SourceInfo probe(URI url, Map<String, String> headers, Duration timeout) {
    checkArgs(url, headers, timeout);
    HttpResponse<InputStream> head = send(url, "HEAD", headers, timeout, "probing");
    try {
      int status = head.statusCode();
      if (status == 403 || status == 405 || status == 501) {
        return probeWithGet(url, headers, timeout); // HEAD refused: a presigned GET URL, or no HEAD support
      }
      if (status != 200 && status != 203 && status != 204) {
        throw statusError(status, url, "probing");
      }
      OptionalLong length = head.headers().firstValueAsLong("content-length");
      String acceptRanges = head.headers().firstValue("accept-ranges").orElse("").trim().toLowerCase(Locale.ROOT);
      if (length.isPresent() && (acceptRanges.equals("bytes") || acceptRanges.equals("none"))) {
        return new SourceInfo(length.getAsLong(), acceptRanges.equals("bytes"), etag(head), lastModified(head));
      }
      return probeWithGet(url, headers, timeout); // length or range support unsaid: ask for one byte
    } finally {
      closeQuietly(head.body());
    }
  }

  private SourceInfo probeWithGet(URI url, Map<String, String> headers, Duration timeout) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Range", "bytes=0-0");
    HttpResponse<InputStream> r = send(url, "GET", h, timeout, "probing");
    try {
      int status = r.statusCode();
      if (status == 206) {
        String cr = r.headers().firstValue("content-range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(cr.trim());
        if (!m.matches() || m.group(3).equals("*")) {
          throw new PeerException(ErrorCode.UNAVAILABLE, "origin " + UrlTask.redact(url) + " answered a range "
              + "request without saying the content's length (Content-Range: '" + cr + "'); RayFile needs the "
              + "length to cut the content into pieces");
        }
        return new SourceInfo(Long.parseLong(m.group(3)), true, etag(r), lastModified(r));
      }
      if (status == 200) {
        OptionalLong length = r.headers().firstValueAsLong("content-length");
        if (length.isEmpty()) {
          throw new PeerException(ErrorCode.UNAVAILABLE, "origin " + UrlTask.redact(url) + " sends neither a "
              + "Content-Length nor ranges; RayFile needs the length to cut the content into pieces");
        }
        return new SourceInfo(length.getAsLong(), false, etag(r), lastModified(r));
      }
      if (status == 416) { // bytes=0-0 of an empty content
        Matcher m = UNSATISFIED_RANGE.matcher(r.headers().firstValue("content-range").orElse("").trim());
        if (m.matches() && Long.parseLong(m.group(1)) == 0) {
          return new SourceInfo(0, true, etag(r), lastModified(r));
        }
      }
      throw statusError(status, url, "probing");
    } finally {
      closeQuietly(r.body());
    }
  }

  // ---------------------------------------------------------------- ranges

  @Override
  public void fetchRange(URI url, Map<String, String> headers, long offset, long length, RangeSink sink,
      Duration timeout) {
    checkArgs(url, headers, timeout);
    Objects.requireNonNull(sink, "sink");
    if (offset < 0 || length < 0 || offset + length < 0) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "bad range of " + UrlTask.redact(url) + ": offset "
          + offset + ", length " + length);
    }
    if (length == 0) {
      return;
    }
    long last = offset + length - 1;
    String what = "fetching bytes " + offset + "-" + last;
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Range", "bytes=" + offset + "-" + last);
    HttpResponse<InputStream> r = send(url, "GET", h, timeout, what);
    try {
      int status = r.statusCode();
      if (status == 206) {
        checkPartial(r, url, offset, last, length);
        stream(r.body(), url, 0, length, true, sink, timeout, what);
      } else if (status == 200) {
        OptionalLong total = r.headers().firstValueAsLong("content-length");
        if (total.isPresent() && total.getAsLong() < offset + length) {
          throw new PeerException(ErrorCode.CORRUPT_CONTENT, "origin " + UrlTask.redact(url) + " ignored the "
              + "Range and sent its whole content of " + total.getAsLong() + " bytes, which ends before the asked "
              + "range " + offset + "-" + last + "; the content changed or the range is wrong");
        }
        if (offset > settings.maxSkipBytes()) {
          throw new RangesIgnoredException("origin " + UrlTask.redact(url) + " does not support Range requests: "
              + "it answered 200 with the whole body to 'Range: bytes=" + offset + "-" + last + "', and skipping "
              + offset + " bytes to get there is over the limit of " + settings.maxSkipBytes() + "; fetch this "
              + "content in one pass instead (OriginFetcher does when the probe says ranges are unsupported)");
        }
        stream(r.body(), url, offset, length, false, sink, timeout, what);
      } else if (status == 412) {
        throw new PeerException(ErrorCode.CORRUPT_CONTENT, "origin " + UrlTask.redact(url) + " says the content "
            + "changed since it was probed (412 Precondition Failed on " + h.keySet().stream()
                .filter(k -> k.toLowerCase(Locale.ROOT).startsWith("if-")).toList()
            + "); start the download again");
      } else if (status == 416) {
        throw new PeerException(ErrorCode.CORRUPT_CONTENT, "origin " + UrlTask.redact(url) + " says the range "
            + offset + "-" + last + " is past the content's end (416, Content-Range: '"
            + r.headers().firstValue("content-range").orElse("") + "'); the content changed or the length is wrong");
      } else {
        throw statusError(status, url, what);
      }
    } finally {
      closeQuietly(r.body());
    }
  }

  private static void checkPartial(HttpResponse<?> r, URI url, long first, long last, long length) {
    String cr = r.headers().firstValue("content-range").orElse(null);
    Matcher m = cr == null ? null : CONTENT_RANGE.matcher(cr.trim());
    if (m == null || !m.matches()) {
      throw new PeerException(ErrorCode.CORRUPT_CONTENT, "origin " + UrlTask.redact(url) + " answered 206 to "
          + "'bytes=" + first + "-" + last + "' with " + (cr == null ? "no Content-Range" : "Content-Range '" + cr
          + "'") + "; cannot tell which bytes it sent");
    }
    long gotFirst = Long.parseLong(m.group(1));
    long gotLast = Long.parseLong(m.group(2));
    if (gotFirst != first || gotLast != last) {
      throw new PeerException(ErrorCode.CORRUPT_CONTENT, "origin " + UrlTask.redact(url) + " sent bytes " + gotFirst
          + "-" + gotLast + " (Content-Range '" + cr + "') when asked for " + first + "-" + last);
    }
    if (!m.group(3).equals("*") && Long.parseLong(m.group(3)) <= last) {
      throw new PeerException(ErrorCode.CORRUPT_CONTENT, "origin " + UrlTask.redact(url) + " sent Content-Range '"
          + cr + "': a total length that ends before the range does");
    }
    OptionalLong cl = r.headers().firstValueAsLong("content-length");
    if (cl.isPresent() && cl.getAsLong() != length) {
      throw new PeerException(ErrorCode.CORRUPT_CONTENT, "origin " + UrlTask.redact(url) + " announced "
          + cl.getAsLong() + " bytes (Content-Length) for the range " + first + "-" + last + " of " + length
          + " bytes");
    }
  }

  /**
   * Reads {@code skip} bytes and drops them, then hands {@code length} bytes to the sink. With {@code exact}, the
   * body must end right there.
   */
  private void stream(InputStream in, URI url, long skip, long length, boolean exact, RangeSink sink,
      Duration timeout, String what) {
    Watchdog dog = new Watchdog(in, timeout.toNanos());
    byte[] buf = new byte[settings.bufferSize()];
    long skipped = 0;
    long delivered = 0;
    try {
      while (delivered < length) {
        boolean skipping = skipped < skip;
        int want = (int) Math.min(buf.length, skipping ? skip - skipped : length - delivered);
        int n = in.read(buf, 0, want);
        dog.progress();
        if (dog.fired) {
          throw stalled(url, what, skipped + delivered, skip + length, timeout);
        }
        if (n < 0) {
          throw new PeerException(ErrorCode.CORRUPT_CONTENT, "origin " + UrlTask.redact(url) + " ended the body "
              + "after " + (skipped + delivered) + " of " + (skip + length) + " bytes while " + what);
        }
        if (skipping) {
          skipped += n;
        } else {
          dog.inSink = true;
          try {
            sink.accept(ByteBuffer.wrap(buf, 0, n));
          } finally {
            dog.inSink = false;
            dog.progress();
          }
          delivered += n;
        }
      }
      if (exact) {
        int extra = in.read(buf, 0, 1);
        if (dog.fired) {
          throw stalled(url, what, skip + length, skip + length, timeout);
        }
        if (extra > 0) {
          throw new PeerException(ErrorCode.CORRUPT_CONTENT, "origin " + UrlTask.redact(url) + " sent more than "
              + "the " + length + " bytes asked while " + what);
        }
      }
    } catch (IOException e) {
      if (dog.fired) {
        throw stalled(url, what, skipped + delivered, skip + length, timeout);
      }
      throw new PeerException(ErrorCode.UNAVAILABLE, "connection to origin " + UrlTask.redact(url) + " broke after "
          + (skipped + delivered) + " of " + (skip + length) + " bytes while " + what + ": " + e, e);
    } finally {
      dog.stop();
    }
  }

  private static PeerException stalled(URI url, String what, long got, long want, Duration timeout) {
    return new PeerException(ErrorCode.UNAVAILABLE, "origin stalled: " + UrlTask.redact(url) + " sent nothing for "
        + timeout.toMillis() + " ms after " + got + " of " + want + " bytes while " + what);
  }

  /** Closes a body stream that made no progress for the stall timeout, which ends a blocked read. */
  private final class Watchdog implements Runnable {
    private final InputStream in;
    private final long limitNanos;
    private volatile long last = System.nanoTime();
    volatile boolean inSink;
    volatile boolean fired;
    private boolean stopped; // guarded by this
    private ScheduledFuture<?> next; // guarded by this

    Watchdog(InputStream in, long limitNanos) {
      this.in = in;
      this.limitNanos = limitNanos;
      schedule(limitNanos);
    }

    void progress() {
      last = System.nanoTime();
    }

    @Override
    public void run() {
      long idle = System.nanoTime() - last;
      if (inSink || idle < limitNanos) {
        schedule(inSink ? limitNanos : limitNanos - idle);
        return;
      }
      synchronized (this) {
        if (stopped) {
          return;
        }
        fired = true;
      }
      closeQuietly(in);
    }

    private synchronized void schedule(long delayNanos) {
      if (!stopped) {
        next = watchdog.schedule(this, Math.max(delayNanos, 1_000_000), TimeUnit.NANOSECONDS);
      }
    }

    synchronized void stop() {
      stopped = true;
      if (next != null) {
        next.cancel(false);
      }
    }
  }

  // ---------------------------------------------------------------- requests

  /** Sends one request, following redirects; the caller closes the body. */
  private HttpResponse<InputStream> send(URI url, String method, Map<String, String> headers, Duration timeout,
      String what) {
    URI current = url;
    Map<String, String> h = headers;
    for (int hop = 0; ; hop++) {
      HttpResponse<InputStream> r = sendOnce(url, current, method, h, timeout, what);
      int status = r.statusCode();
      if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
        return r;
      }
      closeQuietly(r.body());
      Optional<String> location = r.headers().firstValue("location");
      if (location.isEmpty()) {
        throw new PeerException(ErrorCode.UNAVAILABLE, "origin " + UrlTask.redact(url) + " answered " + status
            + " without a Location while " + what);
      }
      if (hop >= settings.maxRedirects()) {
        throw new PeerException(ErrorCode.UNAVAILABLE, "origin " + UrlTask.redact(url) + " redirected more than "
            + settings.maxRedirects() + " times while " + what + " (last to " + UrlTask.redact(resolve(current,
                location.get(), url)) + "); is there a redirect loop?");
      }
      URI next = resolve(current, location.get(), url);
      if (!supports(next)) {
        throw new PeerException(ErrorCode.UNAVAILABLE, "origin " + UrlTask.redact(url) + " redirected to "
            + UrlTask.redact(next) + ", which is not an http(s) URL");
      }
      if ("https".equalsIgnoreCase(current.getScheme()) && "http".equalsIgnoreCase(next.getScheme())) {
        throw new PeerException(ErrorCode.UNAVAILABLE, "origin " + UrlTask.redact(url) + " redirected from https "
            + "to plain http (" + UrlTask.redact(next) + "); refusing the downgrade");
      }
      if (!sameOrigin(url, next) && h.keySet().stream().anyMatch(k -> CREDENTIAL_HEADERS.contains(
          k.toLowerCase(Locale.ROOT)))) {
        Map<String, String> stripped = new LinkedHashMap<>(h);
        stripped.keySet().removeIf(k -> CREDENTIAL_HEADERS.contains(k.toLowerCase(Locale.ROOT)));
        h = stripped;
      }
      current = next;
    }
  }

  private HttpResponse<InputStream> sendOnce(URI original, URI target, String method, Map<String, String> headers,
      Duration timeout, String what) {
    HttpRequest request;
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(target)
          .timeout(timeout)
          .method(method, HttpRequest.BodyPublishers.noBody())
          .header("User-Agent", settings.userAgent());
      headers.forEach(b::setHeader);
      request = b.build();
    } catch (IllegalArgumentException e) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "cannot build the request to " + UrlTask.redact(target)
          + ": " + e.getMessage() + " (check the URL and the request headers)", e);
    }
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException e) {
      throw new PeerException(ErrorCode.UNAVAILABLE, "cannot reach origin " + UrlTask.redact(target) + ": no "
          + "connection within " + settings.connectTimeout().toMillis() + " ms while " + what, e);
    } catch (HttpTimeoutException e) {
      throw new PeerException(ErrorCode.UNAVAILABLE, "origin stalled: " + UrlTask.redact(target) + " sent no "
          + "response within " + timeout.toMillis() + " ms while " + what, e);
    } catch (ConnectException e) {
      throw new PeerException(ErrorCode.UNAVAILABLE, "cannot reach origin " + UrlTask.redact(target) + " while "
          + what + ": " + e, e);
    } catch (IOException e) {
      throw new PeerException(ErrorCode.UNAVAILABLE, "request to origin " + UrlTask.redact(target) + " failed "
          + "while " + what + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerException(ErrorCode.UNAVAILABLE, "interrupted while " + what + " from origin "
          + UrlTask.redact(original), e);
    }
  }

  private static URI resolve(URI current, String location, URI original) {
    try {
      return current.resolve(location.trim());
    } catch (IllegalArgumentException e) {
      throw new PeerException(ErrorCode.UNAVAILABLE, "origin " + UrlTask.redact(original) + " redirected to an "
          + "invalid Location: " + e.getMessage(), e);
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  /** Maps an HTTP status the caller did not expect to an error naming the URL. */
  static PeerException statusError(int status, URI url, String what) {
    String u = UrlTask.redact(url);
    if (status == 404 || status == 410) {
      return new PeerException(ErrorCode.NOT_FOUND, "origin has no such content: " + u + " answered " + status
          + " while " + what + "; check the URL");
    }
    if (status == 401 || status == 403 || status == 407) {
      return new PeerException(ErrorCode.INVALID_ARGUMENT, "access denied: origin " + u + " answered " + status
          + " while " + what + "; pass credentials in the request headers or use a fresh presigned URL");
    }
    if (status == 408 || status == 429 || status >= 500) {
      return new PeerException(ErrorCode.UNAVAILABLE, "origin answered " + status + " while " + what + " from " + u
          + "; it is failing or overloaded, try again later");
    }
    if (status >= 400) {
      return new PeerException(ErrorCode.INVALID_ARGUMENT, "origin " + u + " refused the request with " + status
          + " while " + what);
    }
    return new PeerException(ErrorCode.UNAVAILABLE, "origin " + u + " answered an unexpected " + status + " while "
        + what);
  }

  private static Optional<String> etag(HttpResponse<?> r) {
    return r.headers().firstValue("etag");
  }

  private static Optional<String> lastModified(HttpResponse<?> r) {
    return r.headers().firstValue("last-modified");
  }

  private static void checkArgs(URI url, Map<String, String> headers, Duration timeout) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(headers, "headers");
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "the origin timeout must be > 0, got " + timeout);
    }
    if (headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("range"))) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "do not pass a Range header: the backend sets it");
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException | RuntimeException ignored) {
      // nothing to do: the exchange is over either way
    }
  }

  /** Stops the watchdog thread. In-flight fetches may fail. */
  @Override
  public void close() {
    watchdog.shutdownNow();
  }
}
