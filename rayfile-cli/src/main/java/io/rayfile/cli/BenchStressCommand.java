package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.examples.media.MediaPipeline;
import io.rayfile.examples.media.MediaSpec;
import io.rayfile.examples.media.PipelineReport;
import io.rayfile.examples.media.PipelineSettings;
import io.rayfile.examples.media.PipelineSettings.Verify;
import io.rayfile.examples.media.StressTable;
import io.rayfile.runtime.driver.DriverRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code rayfile bench stress --profile audio-extraction}: the production-shaped download table. A head and N nodes,
 * each a real process; this process is the driver (on node {@code n0}). It first measures the single-stream {@code
 * bench pipe} figure between two of those nodes ({@code n1} to {@code n0}, the path the pipeline's inputs take),
 * then runs the media pipeline ({@link MediaPipeline}): inputs made on the other nodes, downloaded by the driver
 * several at a time, small and big mixed. The table has the production table's columns; the large buckets'
 * bandwidth is reported as a ratio of the pipe figure.
 */
@Command(name = "stress", description = "Media pipeline download table by file size on a local cluster (head + "
    + "nodes), against the single-stream `bench pipe` figure of the same run.")
final class BenchStressCommand implements Callable<Integer> {
  /** The profiles {@code --profile} accepts. */
  static final List<String> PROFILES = List.of("audio-extraction");
  /** Buckets whose bandwidth is held against the pipe figure: files of 256 MiB and more. */
  static final long LARGE_BYTES = 256L << 20;

  @Spec
  CommandSpec spec;

  @Option(names = "--profile", description = "Workload profile (default audio-extraction; valid: "
      + "audio-extraction).")
  String profile = "audio-extraction";

  @Option(names = "--scale", description = "Multiplies every input count (default 1: 64 small, 8 of 16-32 MiB, one "
      + "each of ~376 MiB, ~779 MiB, ~1.2 GiB; the three big ones disappear below 0.5).")
  double scale = 1.0;

  @Option(names = "--nodes", description = "Node processes besides the head (default 3, at least 2).")
  int nodes = 3;

  @Option(names = "--verify", description = "How outputs are checked with ffmpeg: NONE, HEADERS (default), FULL.")
  Verify verify = Verify.HEADERS;

  @Option(names = "--fetch-concurrency", description = "Downloads the driver keeps in flight (default two per core, "
      + "2 to 16).")
  int fetchConcurrency = PipelineSettings.defaultFetchConcurrency();

  @Option(names = "--warmup", description = "Small clips (of their own, never the timed inputs) run through the whole "
      + "pipeline, untimed, before the timed run, so the table measures running daemons rather than their JIT "
      + "(default 32; 0 measures cold JVMs).")
  int warmup = 32;

  @Option(names = "--pipe-size", description = "Content size of the single-stream pipe baseline (default 1GiB).")
  String pipeSize = "1GiB";

  @Option(names = "--pipe-rounds", description = "Rounds of the pipe baseline; the median counts (default 3).")
  int pipeRounds = 3;

  @Mixin
  BenchOptions options;

  @Override
  public Integer call() throws Exception {
    if (!PROFILES.contains(profile)) {
      throw new ParameterException(spec.commandLine(), "unknown --profile '" + profile + "'; valid profiles: "
          + String.join(", ", PROFILES));
    }
    if (nodes < 2) {
      throw new ParameterException(spec.commandLine(), "--nodes must be at least 2 (inputs are made on nodes "
          + "other than the driver's), got " + nodes);
    }
    if (fetchConcurrency < 1) {
      throw new ParameterException(spec.commandLine(), "--fetch-concurrency must be at least 1, got "
          + fetchConcurrency);
    }
    if (warmup < 0 || warmup > 1000) {
      throw new ParameterException(spec.commandLine(), "--warmup must be in [0, 1000], got " + warmup);
    }
    if (!(scale > 0) || scale > 100) {
      throw new ParameterException(spec.commandLine(), "--scale must be in (0, 100], got " + scale);
    }
    long pipeBytes = ByteSize.parse(pipeSize).bytes();
    Path work = options.scratch("stress");
    long t0 = System.nanoTime();
    try (LocalCluster cluster = options.cluster(work.resolve("cluster"))) {
      cluster.startHead();
      for (int i = 0; i < nodes; i++) {
        cluster.startNode("n" + i);
      }
      try (DriverRuntime rt = cluster.driver("n0")) {
        say("head + %d nodes up in %.1f s; pipe baseline: %s from n1 to n0, %d rounds", nodes,
            (System.nanoTime() - t0) / 1e9, ByteSize.format(pipeBytes), pipeRounds);
        List<LocalCluster.Node> all = cluster.nodes();
        BenchPipeCommand.Result pipe = BenchPipeCommand.measure(all.get(1), all.get(0), work, pipeBytes,
            pipeRounds);
        say("%s", pipe);
        PipelineSettings settings = PipelineSettings.forScale(scale, work.resolve("media-out")).verify(verify)
            .fetchConcurrency(fetchConcurrency);
        if (warmup > 0) {
          long w0 = System.nanoTime();
          PipelineReport w = MediaPipeline.run(rt, settings.inputs(warmupClips(warmup)).verify(Verify.NONE)
              .outputDir(work.resolve("warmup-out")));
          say("warm-up: %d clips through the pipeline in %.1f s (untimed)%s", warmup,
              (System.nanoTime() - w0) / 1e9, w.ok() ? "" : "; it failed: " + w.failures());
        }
        say("media pipeline, profile %s, scale %s", profile, scale);
        PipelineReport report = MediaPipeline.run(rt, settings);
        report = report.withCacheHits(rt.stats().hits());
        long pinned = awaitUnpinned(rt, Duration.ofSeconds(20));
        Map<String, Object> r = json(report, pipe);
        r.put("pinned_bytes_after", pinned);
        r.put("seconds", (System.nanoTime() - t0) / 1e9);
        if (options.json) {
          Output.json(r);
        } else {
          System.out.print(report.toText());
          System.out.printf(Locale.ROOT, "pipe (single stream, n1 -> n0): %s%n", pipe);
          System.out.println(targetsText(report.stress(), largeRatio(report, pipe)));
          System.out.printf(Locale.ROOT, "pinned bytes after release: %d%n", pinned);
        }
        return report.ok() ? 0 : 1;
      }
    } finally {
      BenchImportCommand.deleteTree(work);
    }
  }

  /** Clips like the small inputs but with their own names and seeds: none shares a content id with a timed input. */
  static List<MediaSpec> warmupClips(int n) {
    List<MediaSpec> clips = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      clips.add(MediaSpec.clip(String.format(Locale.ROOT, "warmup-%04d.mp4", i), 2 + i % 7, 320, 180, 900_000 + i));
    }
    return clips;
  }

  /** {@code {"buckets":[...], "pipe_mb_s", "large_bandwidth_ratio", "stages", "cache_hits", ...}}. */
  Map<String, Object> json(PipelineReport report, BenchPipeCommand.Result pipe) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("buckets", report.stress().buckets());
    r.put("pipe_mb_s", pipe.p2pMbPerSecond());
    Double ratio = largeRatio(report, pipe);
    r.put("large_bandwidth_ratio", ratio);
    r.put("stages", stages(report));
    r.put("cache_hits", report.cacheHits());
    r.put("targets", targets(report.stress(), ratio));
    r.put("profile", profile);
    r.put("scale", scale);
    r.put("nodes", nodes);
    r.put("warmup_clips", warmup);
    r.put("inputs", report.inputs());
    r.put("input_bytes", report.inputBytes());
    r.put("unbucketed_inputs", report.stress().unbucketed());
    r.put("output_buckets", report.outputStress().buckets());
    r.put("pipe", pipe.json());
    r.put("verify", verify.name());
    r.put("verified", report.verified());
    r.put("failures", report.failures());
    r.put("handles_released", report.handlesReleased());
    return r;
  }

  /** Stage name to wall seconds, in stage order. */
  static Map<String, Double> stages(PipelineReport report) {
    Map<String, Double> m = new LinkedHashMap<>();
    report.stages().forEach(s -> m.put(s.stage(), s.seconds()));
    return m;
  }

  /**
   * The driver's bandwidth over every input of at least {@link #LARGE_BYTES} (their bytes over the sum of their
   * download times, as the table's {@code avg_mb_s}) divided by the pipe figure; null when there were none.
   */
  static Double largeRatio(PipelineReport report, BenchPipeCommand.Result pipe) {
    List<PipelineReport.Download> large = report.downloads().stream()
        .filter(d -> d.kind().equals("input") && d.bytes() >= LARGE_BYTES).toList();
    double seconds = large.stream().mapToDouble(PipelineReport.Download::seconds).sum();
    if (large.isEmpty() || seconds <= 0) {
      return null;
    }
    double mbs = large.stream().mapToLong(PipelineReport.Download::bytes).sum() / 1e6 / seconds;
    return mbs / pipe.p2pMbPerSecond();
  }

  /**
   * The targets against this run: P99/P50 <= 3 in every non-empty bucket, small-file P99 <= 100 ms, large
   * bandwidth >= 50% of the pipe figure. A target with nothing to measure is null.
   */
  static Map<String, Object> targets(StressTable table, Double largeRatio) {
    double worst = 0;
    String worstRange = null;
    for (StressTable.Row row : table.buckets()) {
      if (row.files() > 0 && row.p50Seconds() > 0 && row.p99Seconds() / row.p50Seconds() > worst) {
        worst = row.p99Seconds() / row.p50Seconds();
        worstRange = row.range();
      }
    }
    StressTable.Row small = table.row("0-1MB");
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("max_p99_over_p50", worstRange == null ? null : worst);
    t.put("max_p99_over_p50_range", worstRange);
    t.put("p99_over_p50_met", worstRange == null ? null : worst <= 3);
    t.put("small_p99_s", small.files() == 0 ? null : small.p99Seconds());
    t.put("small_p99_met", small.files() == 0 ? null : small.p99Seconds() <= 0.100);
    t.put("large_bandwidth_met", largeRatio == null ? null : largeRatio >= 0.5);
    return t;
  }

  static String targetsText(StressTable table, Double largeRatio) {
    Map<String, Object> t = targets(table, largeRatio);
    return String.format(Locale.ROOT, "targets: max P99/P50 %s (%s, <= 3: %s); small P99 %s s (<= 0.1: %s); "
        + "large bandwidth / pipe %s (>= 0.5: %s)", fmt(t.get("max_p99_over_p50")), t.get("max_p99_over_p50_range"),
        met(t.get("p99_over_p50_met")), fmt(t.get("small_p99_s")), met(t.get("small_p99_met")), fmt(largeRatio),
        met(t.get("large_bandwidth_met")));
  }

  private static String met(Object v) {
    return v == null ? "n/a" : v.toString();
  }

  private static String fmt(Object v) {
    return v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : "n/a";
  }

  /** Polls the nodes' pinned bytes until 0 or {@code timeout}; returns the last figure. */
  static long awaitUnpinned(DriverRuntime rt, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    long pinned = rt.stats().pinnedBytes();
    while (pinned != 0 && System.nanoTime() < end) {
      Thread.sleep(100);
      pinned = rt.stats().pinnedBytes();
    }
    return pinned;
  }

  private static void say(String format, Object... args) {
    System.err.printf(Locale.ROOT, "stress: " + format + "%n", args);
  }
}
