package io.rayfile.d7y.peer.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.rayfile.d7y.peer.download.DownloadMetrics;
import io.rayfile.d7y.peer.transfer.TransferMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * Everything a node daemon counts, in one Prometheus registry: bytes from the origin, from peers and served to
 * peers, piece failures, active downloads and uploads, back-to-source decisions, downloads by result; and the JVM's
 * own meters (memory, threads, classes, JIT compilation time, process CPU), which is how an operator, or a benchmark
 * waiting for a warm daemon, sees what the runtime itself costs.
 */
public final class PeerMetrics implements TransferMetrics, DownloadMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter originBytes = counter("rayfile.peer.origin.bytes", "Bytes read from origins");
  private final Counter peerBytes = counter("rayfile.peer.peer.bytes", "Piece bytes received from other peers");
  private final Counter servedBytes = counter("rayfile.peer.served.bytes", "Piece bytes served to other peers");
  private final Counter backToSource = counter("rayfile.peer.back.to.source", "Downloads that read an origin");
  private final Counter busy = counter("rayfile.peer.upload.busy", "Piece requests refused: every slot taken");
  private final AtomicInteger activeDownloads = new AtomicInteger();
  private final AtomicInteger activeUploads = new AtomicInteger();

  public PeerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmCompilationMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    gauge("rayfile.peer.downloads.active", "Downloads in progress", activeDownloads, AtomicInteger::get);
    gauge("rayfile.peer.uploads.active", "Pieces being sent", activeUploads, AtomicInteger::get);
  }

  private Counter counter(String name, String help) {
    return Counter.builder(name).description(help).register(registry);
  }

  private <T> void gauge(String name, String help, T target, ToDoubleFunction<T> read) {
    Gauge.builder(name, target, read).description(help).register(registry);
  }

  /**
   * Registers a counter read from {@code target} at each scrape (for counters kept elsewhere, e.g. the runtime's
   * cache-level hits), with one tag.
   */
  public <T> void functionCounter(String name, String help, String tagKey, String tagValue, T target,
      ToDoubleFunction<T> read) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, target, read).description(help)
        .tag(tagKey, tagValue).register(registry);
  }

  /** For the HTTP exporter. */
  public PrometheusRegistry prometheusRegistry() {
    return registry.getPrometheusRegistry();
  }

  /** The Prometheus text exposition, e.g. for tests and {@code --json} reports. */
  public String scrape() {
    return registry.scrape();
  }

  public double originBytes() {
    return originBytes.count();
  }

  public double peerBytes() {
    return peerBytes.count();
  }

  public double servedBytes() {
    return servedBytes.count();
  }

  @Override
  public void fromPeers(long bytes) {
    peerBytes.increment(bytes);
  }

  @Override
  public void fromOrigin(long bytes) {
    originBytes.increment(bytes);
  }

  @Override
  public void pieceFailed(String reason) {
    Counter.builder("rayfile.peer.piece.failures").description("Pieces that failed, by reason").tag("reason", reason)
        .register(registry).increment();
  }

  @Override
  public void backToSource() {
    backToSource.increment();
  }

  @Override
  public void downloadStarted() {
    activeDownloads.incrementAndGet();
  }

  @Override
  public void downloadEnded(String result) {
    if (!"cached".equals(result)) {
      activeDownloads.decrementAndGet();
    }
    Counter.builder("rayfile.peer.downloads").description("Downloads ended, by result").tag("result", result)
        .register(registry).increment();
  }

  @Override
  public void uploadStarted() {
    activeUploads.incrementAndGet();
  }

  @Override
  public void uploadFinished(boolean success) {
    activeUploads.decrementAndGet();
  }

  @Override
  public void bytesServed(long bytes) {
    servedBytes.increment(bytes);
  }

  @Override
  public void uploadRejectedBusy() {
    busy.increment();
  }
}
