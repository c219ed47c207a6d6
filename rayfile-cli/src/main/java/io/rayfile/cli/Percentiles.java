package io.rayfile.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Latency percentiles (nearest rank) of a set of samples in seconds. */
record Percentiles(double p50, double p90, double p99, double max) {
  static Percentiles of(List<Double> seconds) {
    double[] s = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (s.length == 0) {
      return new Percentiles(0, 0, 0, 0);
    }
    return new Percentiles(rank(s, 0.50), rank(s, 0.90), rank(s, 0.99), s[s.length - 1]);
  }

  private static double rank(double[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("p50_s", p50);
    m.put("p90_s", p90);
    m.put("p99_s", p99);
    m.put("max_s", max);
    return m;
  }

  @Override
  public String toString() {
    return String.format("P50 %.1f ms, P90 %.1f ms, P99 %.1f ms", p50 * 1e3, p90 * 1e3, p99 * 1e3);
  }

  static double[] sorted(double[] a) {
    double[] c = a.clone();
    Arrays.sort(c);
    return c;
  }
}
