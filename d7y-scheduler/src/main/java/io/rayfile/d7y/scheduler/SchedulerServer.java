package io.rayfile.d7y.scheduler;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.rayfile.d7y.scheduler.evaluate.LoadAwareEvaluator;
import io.rayfile.d7y.scheduler.grpc.SchedulerService;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.rayfile.d7y.scheduler.metrics.SchedulerMetrics;
import io.rayfile.d7y.scheduler.state.PeerScheduler;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running scheduler: the gRPC service on a port (all interfaces: peers on other machines call it), the
 * Prometheus endpoint (loopback by default), and the expiry sweep. What {@code rayfile scheduler --port P} runs:
 *
 * <pre>{@code
 * try (SchedulerServer s = SchedulerServer.start(8002, SchedulerSettings.defaults())) {
 *   s.awaitTermination();
 * }
 * }</pre>
 */
public final class SchedulerServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchedulerServer.class);

  private final Server server;
  private final HTTPServer metricsHttp;
  private final ScheduledExecutorService sweeper;
  private final PeerScheduler scheduler;
  private final SchedulerMetrics metrics;

  private SchedulerServer(Server server, HTTPServer metricsHttp, ScheduledExecutorService sweeper,
      PeerScheduler scheduler, SchedulerMetrics metrics) {
    this.server = server;
    this.metricsHttp = metricsHttp;
    this.sweeper = sweeper;
    this.scheduler = scheduler;
    this.metrics = metrics;
  }

  /** Starts on {@code port} (0 = any free port) with the system clock. */
  public static SchedulerServer start(int port, SchedulerSettings settings) throws IOException {
    return start(port, settings, Clock.systemUTC());
  }

  /** Starts on {@code port} (0 = any free port). */
  public static SchedulerServer start(int port, SchedulerSettings settings, Clock clock) throws IOException {
    if (port < 0 || port > 65535) {
      throw SchedulerException.invalid("scheduler port must be in [0, 65535], got " + port);
    }
    SchedulerMetrics metrics = new SchedulerMetrics();
    PeerScheduler scheduler = new PeerScheduler(settings, clock, new LoadAwareEvaluator(settings), metrics);
    metrics.bind(scheduler);
    Server server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
        .addService(new SchedulerService(scheduler, metrics))
        // Every handler is a short, non-blocking step of the state machine: run it on the I/O thread instead of
        // handing each message to a pool thread and back (two thread hops per answer).
        .directExecutor()
        .build();
    server.start();
    HTTPServer http = null;
    ScheduledExecutorService sweeper = null;
    try {
      if (settings.metricsPort() >= 0) {
        http = HTTPServer.builder().hostname(settings.metricsHost()).port(settings.metricsPort())
            .registry(metrics.prometheusRegistry()).buildAndStart();
      }
      sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "scheduler-sweep");
        t.setDaemon(true);
        return t;
      });
      long every = Math.max(1, settings.sweepInterval().toMillis());
      sweeper.scheduleWithFixedDelay(() -> {
        try {
          scheduler.expire();
        } catch (RuntimeException e) {
          log.error("scheduler expiry sweep failed", e);
        }
      }, every, every, TimeUnit.MILLISECONDS);
    } catch (IOException | RuntimeException e) {
      server.shutdownNow();
      if (http != null) {
        http.close();
      }
      if (sweeper != null) {
        sweeper.shutdownNow();
      }
      throw e;
    }
    SchedulerServer s = new SchedulerServer(server, http, sweeper, scheduler, metrics);
    log.info("scheduler listening on port {}{}", s.port(),
        http == null ? "" : ", metrics at http://" + settings.metricsHost() + ":" + http.getPort() + "/metrics");
    return s;
  }

  /** The gRPC port actually bound. */
  public int port() {
    return server.getPort();
  }

  /** The metrics port actually bound, or -1 when the endpoint is off. */
  public int metricsPort() {
    return metricsHttp == null ? -1 : metricsHttp.getPort();
  }

  /** The state machine behind the service (tests, embedding). */
  public PeerScheduler scheduler() {
    return scheduler;
  }

  public SchedulerMetrics metrics() {
    return metrics;
  }

  /** Blocks until the server shuts down. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops serving: open announce streams are cancelled; peers fall back as after a scheduler crash. */
  @Override
  public void close() {
    sweeper.shutdownNow();
    if (metricsHttp != null) {
      metricsHttp.close();
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
