package io.rayfile.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small Range-capable HTTP origin on 127.0.0.1 (port 0) serving one file: {@code /ok} works, {@code /missing}
 * is 404, {@code /error} is 500, {@code /stall} answers its headers and then sends nothing.
 */
final class TestOrigin implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

  private final HttpServer server;
  private final ExecutorService executor;
  private final Path file;
  private final long length;

  private TestOrigin(HttpServer server, ExecutorService executor, Path file, long length) {
    this.server = server;
    this.executor = executor;
    this.file = file;
    this.length = length;
  }

  static TestOrigin start(Path file, long length) throws IOException {
    BenchImportCommand.writeRandom(file, length);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-origin");
      t.setDaemon(true);
      return t;
    });
    TestOrigin origin = new TestOrigin(server, executor, file, length);
    server.createContext("/", origin::handle);
    server.setExecutor(executor);
    server.start();
    return origin;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      switch (path) {
        case "/missing" -> ex.sendResponseHeaders(404, -1);
        case "/error" -> ex.sendResponseHeaders(500, -1);
        case "/ok", "/stall" -> serve(ex, path.equals("/stall"));
        default -> ex.sendResponseHeaders(404, -1);
      }
    }
  }

  private void serve(HttpExchange ex, boolean stall) throws IOException {
    ex.getResponseHeaders().set("Accept-Ranges", "bytes");
    long from = 0;
    long to = length - 1;
    String range = ex.getRequestHeaders().getFirst("Range");
    boolean partial = false;
    if (range != null) {
      Matcher m = RANGE.matcher(range);
      if (m.matches()) {
        from = Long.parseLong(m.group(1));
        to = Math.min(length - 1, Long.parseLong(m.group(2)));
        partial = true;
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + length);
      }
    }
    long count = to - from + 1;
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Content-Length", Long.toString(length));
      ex.sendResponseHeaders(200, -1);
      return;
    }
    ex.sendResponseHeaders(partial ? 206 : 200, count);
    OutputStream out = ex.getResponseBody();
    if (stall && count > 1) {
      out.write(new byte[] {1});
      out.flush();
      try {
        Thread.sleep(120_000); // the client's stall timeout ends this
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      raf.seek(from);
      byte[] buf = new byte[64 << 10];
      long left = count;
      while (left > 0) {
        int n = raf.read(buf, 0, (int) Math.min(buf.length, left));
        out.write(buf, 0, n);
        left -= n;
      }
    }
    out.close();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
