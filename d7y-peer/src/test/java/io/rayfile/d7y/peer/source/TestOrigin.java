package io.rayfile.d7y.peer.source;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP origin on 127.0.0.1 serving one generated file, with misbehaving modes chosen by the path's first
 * segment (see {@link #handle}).
 */
final class TestOrigin implements AutoCloseable {
  static final String ETAG = "\"v1\"";
  static final String LAST_MODIFIED = "Thu, 01 Jan 2026 00:00:00 GMT";
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

  final byte[] data;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-origin");
    t.setDaemon(true);
    return t;
  });
  private final CountDownLatch release = new CountDownLatch(1);
  final List<String> requests = new CopyOnWriteArrayList<>(); // "METHOD path range"
  final List<String> authorizations = new CopyOnWriteArrayList<>(); // Authorization header on /ok, or "-"
  private final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();

  TestOrigin(int size, long seed) throws IOException {
    data = new byte[size];
    new Random(seed).nextBytes(data);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handleCounted);
    server.start();
  }

  /** http://127.0.0.1:port + path. */
  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  int port() {
    return server.getAddress().getPort();
  }

  long count(String method) {
    return requests.stream().filter(r -> r.startsWith(method + " ")).count();
  }

  private void handleCounted(HttpExchange ex) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " "
          + ex.getRequestHeaders().getFirst("Range"));
      handle(ex);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      inFlight.decrementAndGet();
      ex.close();
    }
  }

  /**
   * Modes: {@code /ok/...} ranges, ETag, Last-Modified, If-Match; {@code /status/<code>}; {@code /stall-headers};
   * {@code /stall-body} (half a range, then nothing); {@code /stall-from/<offset>} (stalls ranges starting there or
   * later); {@code /fail-from/<offset>} (503 for ranges starting there or later); {@code /ignore-range} (200 and
   * the whole body, no Accept-Ranges); {@code /lie-ranges} (says Accept-Ranges: bytes, then ignores them);
   * {@code /wrong-range} (206 of the range shifted by one); {@code /redirect/<n>} (n hops, then /ok);
   * {@code /loop}; {@code /redirect-other-host} (to localhost instead of 127.0.0.1); {@code /no-head} (405 on
   * HEAD); {@code /changed} (HEAD says ETag v1, the content is now v2).
   */
  private void handle(HttpExchange ex) throws IOException, InterruptedException {
    String[] seg = ex.getRequestURI().getPath().split("/");
    String mode = seg.length > 1 ? seg[1] : "";
    String arg = seg.length > 2 ? seg[2] : "";
    boolean head = ex.getRequestMethod().equals("HEAD");
    switch (mode) {
      case "status" -> ex.sendResponseHeaders(Integer.parseInt(arg), -1);
      case "stall-headers" -> release.await(10, TimeUnit.SECONDS);
      case "redirect" -> {
        int n = Integer.parseInt(arg);
        redirect(ex, n == 0 ? "/ok/file" : "/redirect/" + (n - 1));
      }
      case "loop" -> redirect(ex, "/loop");
      case "redirect-other-host" -> redirect(ex, "http://localhost:" + port() + "/ok/file");
      case "no-head" -> {
        if (head) {
          ex.sendResponseHeaders(405, -1);
        } else {
          serve(ex, true, false, Long.MAX_VALUE, Long.MAX_VALUE, ETAG);
        }
      }
      case "ignore-range" -> serve(ex, false, false, Long.MAX_VALUE, Long.MAX_VALUE, ETAG);
      case "lie-ranges" -> {
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        serve(ex, false, false, Long.MAX_VALUE, Long.MAX_VALUE, ETAG);
      }
      case "wrong-range" -> serve(ex, true, true, Long.MAX_VALUE, Long.MAX_VALUE, ETAG);
      case "stall-body" -> serve(ex, true, false, Long.MAX_VALUE, 0, ETAG);
      case "stall-from" -> serve(ex, true, false, Long.MAX_VALUE, Long.parseLong(arg), ETAG);
      case "fail-from" -> serve(ex, true, false, Long.parseLong(arg), Long.MAX_VALUE, ETAG);
      case "changed" -> serve(ex, true, false, Long.MAX_VALUE, Long.MAX_VALUE, head ? ETAG : "\"v2\"");
      case "ok" -> {
        authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        serve(ex, true, false, Long.MAX_VALUE, Long.MAX_VALUE, ETAG);
      }
      default -> ex.sendResponseHeaders(404, -1);
    }
  }

  private void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().set("Location", location);
    ex.sendResponseHeaders(302, -1);
  }

  /**
   * Serves the file. Ranges starting at or after {@code failFrom} get 503; ranges starting at or after
   * {@code stallFrom} get their headers and half their bytes, then nothing until the origin closes.
   */
  private void serve(HttpExchange ex, boolean ranges, boolean shift, long failFrom, long stallFrom, String etag)
      throws IOException, InterruptedException {
    var h = ex.getResponseHeaders();
    h.set("ETag", etag);
    h.set("Last-Modified", LAST_MODIFIED);
    if (ranges) {
      h.set("Accept-Ranges", "bytes");
    }
    String ifMatch = ex.getRequestHeaders().getFirst("If-Match");
    if (ifMatch != null && !ifMatch.equals(etag)) {
      ex.sendResponseHeaders(412, -1);
      return;
    }
    if (ex.getRequestMethod().equals("HEAD")) {
      h.set("Content-Length", Long.toString(data.length));
      ex.sendResponseHeaders(200, -1);
      return;
    }
    String range = ex.getRequestHeaders().getFirst("Range");
    Matcher m = range == null ? null : RANGE.matcher(range);
    if (!ranges || m == null || !m.matches()) {
      ex.sendResponseHeaders(200, data.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(data);
      } catch (IOException clientWentAway) {
        // the client read what it needed and closed
      }
      return;
    }
    long first = Long.parseLong(m.group(1));
    long last = Math.min(Long.parseLong(m.group(2)), data.length - 1);
    if (first >= data.length) {
      h.set("Content-Range", "bytes */" + data.length);
      ex.sendResponseHeaders(416, -1);
      return;
    }
    if (first >= failFrom) {
      ex.sendResponseHeaders(503, -1);
      return;
    }
    int len = (int) (last - first + 1);
    long shown = shift ? first + 1 : first;
    h.set("Content-Range", "bytes " + shown + "-" + (shown + len - 1) + "/" + data.length);
    ex.sendResponseHeaders(206, len);
    OutputStream out = ex.getResponseBody();
    if (first >= stallFrom) {
      out.write(data, (int) first, len / 2);
      out.flush();
      release.await(10, TimeUnit.SECONDS);
      return;
    }
    out.write(data, (int) first, len);
    out.close();
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
