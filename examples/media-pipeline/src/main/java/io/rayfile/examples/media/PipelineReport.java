package io.rayfile.examples.media;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link MediaPipeline} run did and measured.
 *
 * @param driverNode the node holding the driver's puts and fetches
 * @param nodes nodes in the cluster
 * @param ffmpeg where the driver's ffmpeg came from ({@link Ffmpeg#source()})
 * @param inputs how many inputs
 * @param inputBytes their bytes
 * @param stages every stage in order, with its wall time
 * @param stress the audio-extraction stress table: the driver's download of every input from the node that made it
 * @param outputStress the same table for the driver's downloads of the outputs
 * @param downloads every timed download
 * @param verified outputs checked (files inside directories counted one by one)
 * @param failures what the checks found wrong, one message each; empty when every output passed
 * @param index the final index, copied to the driver's output directory (kept after the run)
 * @param indexEntries lines in it
 * @param handlesReleased handles and refs the driver closed at the end
 * @param cacheHits hits per cache level, when the caller supplied them ({@link #withCacheHits}); the public API
 *     has no counters, so the pipeline itself leaves this empty
 */
public record PipelineReport(String driverNode, int nodes, String ffmpeg, int inputs, long inputBytes,
    List<StageTiming> stages, StressTable stress, StressTable outputStress, List<Download> downloads, int verified,
    List<String> failures, Path index, int indexEntries, int handlesReleased, Map<String, Long> cacheHits) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Checks the fields. */
  public PipelineReport {
    Objects.requireNonNull(driverNode, "driverNode");
    stages = List.copyOf(stages);
    downloads = List.copyOf(downloads);
    failures = List.copyOf(failures);
    cacheHits = Map.copyOf(cacheHits);
  }

  /**
   * One stage's wall time.
   *
   * @param stage its name
   * @param tasks tasks (or, for driver stages, items) in it
   * @param seconds from its first submission to its last result
   */
  public record StageTiming(String stage, int tasks, double seconds) {}

  /**
   * One timed download by the driver.
   *
   * @param name the file or directory name
   * @param kind {@code input}, {@code segments}, {@code audio}, {@code rendition}, {@code thumbnails} or
   *     {@code index}
   * @param bytes its size
   * @param seconds from the fetch call to the local path
   */
  public record Download(String name, String kind, long bytes, double seconds) {}

  /** True when every check passed. */
  public boolean ok() {
    return failures.isEmpty();
  }

  /** The time of stage {@code name}. */
  public StageTiming stage(String name) {
    return stages.stream().filter(s -> s.stage().equals(name)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("no stage " + name));
  }

  /** The same report with cache-level hit counters from the runtime (which the public API does not expose). */
  public PipelineReport withCacheHits(Map<String, Long> hits) {
    return new PipelineReport(driverNode, nodes, ffmpeg, inputs, inputBytes, stages, stress, outputStress,
        downloads, verified, failures, index, indexEntries, handlesReleased, hits);
  }

  /** The report as one JSON object; {@code stress} has the shape of {@link StressTable#toJson()}. */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("stress", Map.of("buckets", stress.buckets()));
    m.put("unbucketed_inputs", stress.unbucketed());
    m.put("output_stress", Map.of("buckets", outputStress.buckets()));
    m.put("stages", stages.stream().map(s -> {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("stage", s.stage());
      r.put("tasks", s.tasks());
      r.put("seconds", s.seconds());
      return r;
    }).toList());
    m.put("cache_hits", cacheHits);
    m.put("driver_node", driverNode);
    m.put("nodes", nodes);
    m.put("ffmpeg", ffmpeg);
    m.put("inputs", inputs);
    m.put("input_bytes", inputBytes);
    m.put("verified", verified);
    m.put("failures", failures);
    m.put("index", index.toString());
    m.put("index_entries", indexEntries);
    m.put("handles_released", handlesReleased);
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the report is plain values", e);
    }
  }

  /** The report for a terminal. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "media pipeline: %d inputs (%.1f MB) on %d nodes, ffmpeg from %s%n",
        inputs, inputBytes / 1e6, nodes, ffmpeg));
    sb.append("input downloads (audio-extraction stress):\n").append(stress.toText());
    sb.append("output downloads:\n").append(outputStress.toText());
    sb.append("stages:\n");
    for (StageTiming s : stages) {
      sb.append(String.format(Locale.ROOT, "  %-11s %5d  %8.2f s%n", s.stage(), s.tasks(), s.seconds()));
    }
    if (!cacheHits.isEmpty()) {
      sb.append("cache hits: ").append(cacheHits).append('\n');
    }
    sb.append(String.format(Locale.ROOT, "outputs verified: %d, failures: %d; index: %s (%d entries); "
        + "handles released: %d%n", verified, failures.size(), index, indexEntries, handlesReleased));
    failures.forEach(f -> sb.append("  FAILED ").append(f).append('\n'));
    return sb.toString();
  }
}
