package io.rayfile.examples.media;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Download latency and bandwidth by file size, with the columns of the production table this project measures
 * itself against: size range, file count, average bandwidth (MB/s), P50/P90/P99 download latency (s).
 *
 * <p>Buckets are fixed: {@code 0-1MB, 16-32MB, 256-512MB, 512-1024MB, 1024-4096MB}, each the half-open byte range
 * {@code [lo MiB, hi MiB)}; every bucket is reported, an empty one with {@code files: 0} and zeros. Samples in
 * none of them are counted in {@link #unbucketed()}. Percentiles are nearest-rank (P = the ceil(q*n)-th smallest
 * sample). Average bandwidth is the bucket's bytes over the sum of its latencies, in MB/s with MB = 10^6 bytes
 * (the unit of {@code rayfile bench pipe}).
 *
 * <pre>{@code
 * StressTable t = StressTable.of(List.of(new StressTable.Sample(300_000, 0.012), ...));
 * System.out.println(t.toJson());   // {"buckets":[{"range":"0-1MB","files":1,"avg_mb_s":25.0,...}, ...]}
 * }</pre>
 *
 * @param buckets one row per bucket, in order
 * @param unbucketed samples whose size is in no bucket
 */
public record StressTable(List<Row> buckets, int unbucketed) {
  private static final long MIB = 1L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The fixed buckets. */
  public static final List<Bucket> BUCKETS = List.of(
      new Bucket("0-1MB", 0, MIB),
      new Bucket("16-32MB", 16 * MIB, 32 * MIB),
      new Bucket("256-512MB", 256 * MIB, 512 * MIB),
      new Bucket("512-1024MB", 512 * MIB, 1024 * MIB),
      new Bucket("1024-4096MB", 1024 * MIB, 4096 * MIB));

  /** Checks the fields. */
  public StressTable {
    buckets = List.copyOf(buckets);
  }

  /**
   * A size range.
   *
   * @param range its label
   * @param minBytes inclusive lower bound
   * @param maxBytes exclusive upper bound
   */
  public record Bucket(String range, long minBytes, long maxBytes) {
    /** True if a file of {@code bytes} belongs here. */
    public boolean contains(long bytes) {
      return bytes >= minBytes && bytes < maxBytes;
    }
  }

  /**
   * One download.
   *
   * @param bytes its size
   * @param seconds how long it took
   */
  public record Sample(long bytes, double seconds) {
    /** Checks the fields. */
    public Sample {
      if (bytes < 0 || !(seconds >= 0) || Double.isInfinite(seconds)) {
        throw new IllegalArgumentException("a sample needs bytes >= 0 and finite seconds >= 0, got " + bytes + ", "
            + seconds);
      }
    }
  }

  /**
   * One bucket's figures.
   *
   * @param range the bucket's label
   * @param files downloads in it
   * @param avgMbPerSecond its bytes / 10^6 over the sum of its latencies (0 when empty)
   * @param p50Seconds nearest-rank median latency
   * @param p90Seconds nearest-rank 90th percentile latency
   * @param p99Seconds nearest-rank 99th percentile latency
   */
  public record Row(
      @JsonProperty("range") String range,
      @JsonProperty("files") int files,
      @JsonProperty("avg_mb_s") double avgMbPerSecond,
      @JsonProperty("p50_s") double p50Seconds,
      @JsonProperty("p90_s") double p90Seconds,
      @JsonProperty("p99_s") double p99Seconds) {
    /** Checks the fields. */
    public Row {
      Objects.requireNonNull(range, "range");
    }
  }

  /** The table of {@code samples}. */
  public static StressTable of(List<Sample> samples) {
    List<Row> rows = new ArrayList<>();
    int inSome = 0;
    for (Bucket b : BUCKETS) {
      List<Sample> in = samples.stream().filter(s -> b.contains(s.bytes())).toList();
      inSome += in.size();
      double[] seconds = in.stream().mapToDouble(Sample::seconds).sorted().toArray();
      long bytes = in.stream().mapToLong(Sample::bytes).sum();
      double totalSeconds = Arrays.stream(seconds).sum();
      double mbs = totalSeconds > 0 ? bytes / 1e6 / totalSeconds : 0;
      rows.add(new Row(b.range(), in.size(), mbs, percentile(seconds, 0.50), percentile(seconds, 0.90),
          percentile(seconds, 0.99)));
    }
    return new StressTable(rows, samples.size() - inSome);
  }

  /** Nearest-rank percentile of ascending {@code sorted}: its ceil(q*n)-th value; 0 for none. */
  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The row of bucket {@code range}. */
  public Row row(String range) {
    return buckets.stream().filter(r -> r.range().equals(range)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("no bucket " + range + "; buckets: " + BUCKETS.stream().map(
            Bucket::range).toList()));
  }

  /** {@code {"buckets":[{"range":..,"files":..,"avg_mb_s":..,"p50_s":..,"p90_s":..,"p99_s":..}, ...]}}. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(Map.of("buckets", buckets));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("rows are plain records", e);
    }
  }

  /** The table for a terminal, one line per bucket. */
  public String toText() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s %6s %10s %9s %9s %9s%n", "size", "files",
        "avg MB/s", "P50 s", "P90 s", "P99 s"));
    for (Row r : buckets) {
      sb.append(String.format(Locale.ROOT, "%-12s %6d %10.1f %9.3f %9.3f %9.3f%n", r.range(), r.files(),
          r.avgMbPerSecond(), r.p50Seconds(), r.p90Seconds(), r.p99Seconds()));
    }
    if (unbucketed > 0) {
      sb.append(unbucketed).append(" download(s) in no bucket\n");
    }
    return sb.toString();
  }
}
