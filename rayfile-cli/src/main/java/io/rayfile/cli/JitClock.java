package io.rayfile.cli;

import io.rayfile.d7y.peer.DaemonProcess;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JIT compilation time of a benchmark's JVMs: each daemon's (its {@code jvm_compilation_time_ms_total} meter) and
 * the benchmark's own, which is the daemons' client. Why: on a 2-core machine the JIT compilers of four fresh JVMs
 * take a fifth to a third of the CPU for tens of thousands of requests; a benchmark that stops warming up on a fixed
 * count measures them, not the daemons. {@code bench small-files} warms up until this clock stands nearly still.
 * It counts wall time, which grows while a compiler thread waits for a core, so it errs towards warming up longer;
 * what the compilers cost in CPU is {@link CpuClock}'s to say.
 */
final class JitClock {
  static final String METRIC = "jvm_compilation_time_ms_total";

  private final Map<String, DaemonProcess> daemons;

  JitClock(Map<String, DaemonProcess> daemons) {
    this.daemons = Map.copyOf(daemons);
  }

  /** Milliseconds each JVM has spent compiling so far, by name; {@code client} is this process. */
  Map<String, Double> read() {
    Map<String, Double> ms = new LinkedHashMap<>();
    daemons.forEach((name, p) -> ms.put(name, LocalCluster.metrics(p).getOrDefault(METRIC, 0.0)));
    ms.put("client", (double) ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
    return ms;
  }

  /** Milliseconds compiled since {@code before} (a {@link #read}), by name. */
  Map<String, Double> since(Map<String, Double> before) {
    Map<String, Double> now = read();
    now.replaceAll((name, ms) -> ms - before.getOrDefault(name, 0.0));
    return now;
  }

  /** The largest share of {@code wallMillis} one JVM spent compiling, from a {@link #since} result. */
  static double maxShare(Map<String, Double> spent, double wallMillis) {
    return spent.values().stream().mapToDouble(ms -> ms / wallMillis).max().orElse(0);
  }
}
