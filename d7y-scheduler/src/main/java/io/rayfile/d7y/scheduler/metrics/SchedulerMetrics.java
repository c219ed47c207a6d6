package io.rayfile.d7y.scheduler.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rayfile.d7y.scheduler.state.PeerScheduler;
import io.rayfile.d7y.scheduler.state.SchedulerEvents;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scheduler's meters. Names (Prometheus form): {@code rayfile_scheduler_decisions_total{type}},
 * {@code rayfile_scheduler_back_to_source_total}, {@code rayfile_scheduler_piece_failures_total},
 * {@code rayfile_scheduler_downloads_total{result}}, {@code rayfile_scheduler_peers_removed_total{reason}},
 * gauges {@code rayfile_scheduler_peers}, {@code rayfile_scheduler_contents}, {@code rayfile_scheduler_hosts}; and
 * the JVM's own meters (memory, threads, classes, JIT compilation time {@code jvm_compilation_time_ms_total},
 * process CPU).
 */
public final class SchedulerMetrics implements SchedulerEvents {
  private final PrometheusMeterRegistry registry;
  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
  private final Map<String, Counter> downloads = new ConcurrentHashMap<>();
  private final Map<String, Counter> removed = new ConcurrentHashMap<>();
  private final Counter backToSource;
  private final Counter pieceFailures;

  public SchedulerMetrics() {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmCompilationMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    this.backToSource = Counter.builder("rayfile.scheduler.back.to.source")
        .description("Answers sending a peer to the origin").register(registry);
    this.pieceFailures = Counter.builder("rayfile.scheduler.piece.failures")
        .description("Piece failures reported by peers").register(registry);
  }

  /** Registers gauges that read the scheduler's sizes at scrape time. */
  public void bind(PeerScheduler scheduler) {
    Gauge.builder("rayfile.scheduler.peers", scheduler, PeerScheduler::peerCount)
        .description("Peers known (downloading and holding)").register(registry);
    Gauge.builder("rayfile.scheduler.contents", scheduler, PeerScheduler::contentCount)
        .description("Contents with at least one peer").register(registry);
    Gauge.builder("rayfile.scheduler.hosts", scheduler, PeerScheduler::hostCount)
        .description("Live hosts").register(registry);
  }

  /** The Prometheus registry behind {@link #registry()}, for the HTTP exporter. */
  public io.prometheus.metrics.model.registry.PrometheusRegistry prometheusRegistry() {
    return registry.getPrometheusRegistry();
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void decision(String type) {
    decisions.computeIfAbsent(type, t -> Counter.builder("rayfile.scheduler.decisions")
        .description("Answers sent to peers, by type").tag("type", t).register(registry)).increment();
    if ("back_to_source".equals(type)) {
      backToSource.increment();
    }
  }

  @Override
  public void pieceFailed() {
    pieceFailures.increment();
  }

  @Override
  public void downloadEnded(String result) {
    downloads.computeIfAbsent(result, r -> Counter.builder("rayfile.scheduler.downloads")
        .description("Downloads that ended, by result").tag("result", r).register(registry)).increment();
  }

  @Override
  public void peerRemoved(String why) {
    removed.computeIfAbsent(why, w -> Counter.builder("rayfile.scheduler.peers.removed")
        .description("Peers dropped, by reason").tag("reason", w).register(registry)).increment();
  }

  /** The count of decisions of {@code type} so far (tests). */
  public double decisions(String type) {
    Counter c = decisions.get(type);
    return c == null ? 0 : c.count();
  }
}
