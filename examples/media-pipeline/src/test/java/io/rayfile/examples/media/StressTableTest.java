package io.rayfile.examples.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bucket, percentile and bandwidth arithmetic of the stress table, and its JSON shape. */
class StressTableTest {
  private static final long MIB = 1L << 20;

  @Test
  void nearestRankPercentiles() {
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = i + 1;
    }
    assertEquals(50, StressTable.percentile(hundred, 0.50));
    assertEquals(90, StressTable.percentile(hundred, 0.90));
    assertEquals(99, StressTable.percentile(hundred, 0.99));
    double[] ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(5, StressTable.percentile(ten, 0.50));
    assertEquals(9, StressTable.percentile(ten, 0.90));
    assertEquals(10, StressTable.percentile(ten, 0.99), "ceil(9.9) = 10th");
    assertEquals(7, StressTable.percentile(new double[] {7}, 0.99));
    assertEquals(0, StressTable.percentile(new double[0], 0.5));
  }

  @Test
  void samplesLandInHalfOpenBucketsAndTheRestIsCounted() {
    List<StressTable.Sample> s = List.of(
        new StressTable.Sample(0, 0.001),
        new StressTable.Sample(MIB - 1, 0.002),
        new StressTable.Sample(MIB, 0.003),             // 1 MiB: in no bucket
        new StressTable.Sample(16 * MIB, 0.1),
        new StressTable.Sample(32 * MIB, 0.1),          // 32 MiB: in no bucket
        new StressTable.Sample(1024 * MIB, 2.0),        // 1 GiB: the last bucket
        new StressTable.Sample(5000 * MIB, 9.0));       // over 4 GiB: in no bucket
    StressTable t = StressTable.of(s);
    assertEquals(List.of(2, 1, 0, 0, 1), t.buckets().stream().map(StressTable.Row::files).toList());
    assertEquals(3, t.unbucketed());
  }

  @Test
  void bandwidthIsBytesOverSummedLatencyAndEmptyBucketsAreZero() {
    List<StressTable.Sample> s = new ArrayList<>();
    s.add(new StressTable.Sample(300 * MIB, 1.0));
    s.add(new StressTable.Sample(300 * MIB, 3.0));
    StressTable t = StressTable.of(s);
    StressTable.Row big = t.row("256-512MB");
    assertEquals(2, big.files());
    assertEquals(600 * MIB / 1e6 / 4.0, big.avgMbPerSecond(), 1e-9);
    assertEquals(1.0, big.p50Seconds());
    assertEquals(3.0, big.p90Seconds());
    assertEquals(3.0, big.p99Seconds());
    StressTable.Row empty = t.row("0-1MB");
    assertEquals(new StressTable.Row("0-1MB", 0, 0, 0, 0, 0), empty);
  }

  @Test
  void jsonHasTheBenchmarkShape() throws Exception {
    StressTable t = StressTable.of(List.of(new StressTable.Sample(500_000, 0.01)));
    JsonNode root = new ObjectMapper().readTree(t.toJson());
    assertEquals(1, root.size(), "only buckets: " + root);
    JsonNode buckets = root.get("buckets");
    assertEquals(5, buckets.size());
    List<String> ranges = new ArrayList<>();
    buckets.forEach(b -> ranges.add(b.get("range").asText()));
    assertEquals(List.of("0-1MB", "16-32MB", "256-512MB", "512-1024MB", "1024-4096MB"), ranges);
    JsonNode small = buckets.get(0);
    List<String> fields = new ArrayList<>();
    small.fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("range", "files", "avg_mb_s", "p50_s", "p90_s", "p99_s"), fields);
    assertEquals(1, small.get("files").asInt());
    assertEquals(50.0, small.get("avg_mb_s").asDouble(), 1e-9);
    assertEquals(0.01, small.get("p99_s").asDouble(), 1e-12);
    assertEquals(0, buckets.get(4).get("files").asInt());
  }
}
