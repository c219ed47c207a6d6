package io.rayfile.examples.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * How {@link MediaPipeline} runs. Immutable and checked when built; start from {@link #forScale} and change
 * fields with the {@code with...}-style copies.
 *
 * <pre>{@code
 * PipelineSettings s = PipelineSettings.forScale(0.1, Path.of("/tmp/media-out")).verify(Verify.FULL);
 * }</pre>
 *
 * @param inputs the media to generate and process (names unique)
 * @param scale the scale {@code inputs} came from, reported as is
 * @param segmentSeconds videos longer than this are split into segments of this length, and transcoded from them
 * @param audioFormat what audio extraction writes (see {@link MediaTasks#AUDIO_FORMATS})
 * @param renditionHeight the transcoded rendition's height in lines (never upscaled)
 * @param thumbnailCount stills per video
 * @param fetchConcurrency downloads the driver keeps in flight at once; by default two per core (2 to 16): a fetch
 *     is CPU work on both nodes, so more in flight only queue (on 2 cores, 8 at once gave clips a median of 58 ms and
 *     4 gave 29 ms, the stage taking the same time)
 * @param spreadStages run processing tasks with {@link io.rayfile.api.TaskOptions.Placement#SPREAD} placement
 *     (work and downloads over every node) instead of locality
 * @param verify how the driver checks every output before releasing it
 * @param stageTimeout how long one stage may take before the run fails
 * @param maxRetries task retries after a node or worker died
 * @param shuffleSeed orders the inputs (small and big files interleaved, as in a real queue)
 * @param outputDir a local directory of the driver: a probe file is put from here, and the index is copied here
 */
public record PipelineSettings(List<MediaSpec> inputs, double scale, int segmentSeconds, String audioFormat,
    int renditionHeight, int thumbnailCount, int fetchConcurrency, boolean spreadStages, Verify verify,
    Duration stageTimeout, int maxRetries, long shuffleSeed, Path outputDir) {

  /** How the driver checks outputs. */
  public enum Verify {
    /** Not at all. */
    NONE,
    /** Duration, streams and size of every output from its header; the index against the files. */
    HEADERS,
    /** As {@link #HEADERS}, and every output is decoded in full ({@code ffmpeg -v error -i X -f null -}). */
    FULL
  }

  /** Checks the fields. */
  public PipelineSettings {
    inputs = List.copyOf(inputs);
    Objects.requireNonNull(audioFormat, "audioFormat");
    Objects.requireNonNull(verify, "verify");
    Objects.requireNonNull(stageTimeout, "stageTimeout");
    Objects.requireNonNull(outputDir, "outputDir");
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("the pipeline needs at least one input");
    }
    if (new HashSet<>(inputs.stream().map(MediaSpec::name).toList()).size() != inputs.size()) {
      throw new IllegalArgumentException("input names must be unique");
    }
    if (segmentSeconds < 1) {
      throw new IllegalArgumentException("segmentSeconds must be >= 1, got " + segmentSeconds);
    }
    if (!MediaTasks.AUDIO_FORMATS.contains(audioFormat)) {
      throw new IllegalArgumentException("audioFormat must be one of " + MediaTasks.AUDIO_FORMATS + ", got "
          + audioFormat);
    }
    if (renditionHeight < 16 || renditionHeight > 4320) {
      throw new IllegalArgumentException("renditionHeight must be in [16, 4320], got " + renditionHeight);
    }
    if (thumbnailCount < 1 || thumbnailCount > 50) {
      throw new IllegalArgumentException("thumbnailCount must be in [1, 50], got " + thumbnailCount);
    }
    if (fetchConcurrency < 1) {
      throw new IllegalArgumentException("fetchConcurrency must be >= 1, got " + fetchConcurrency);
    }
    if (stageTimeout.isNegative() || stageTimeout.isZero()) {
      throw new IllegalArgumentException("stageTimeout must be > 0, got " + stageTimeout);
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
    }
  }

  /**
   * The inputs of {@link MediaGenerator#plan(double)} with the defaults: 10 s segments, m4a audio, a 240-line
   * rendition, 4 thumbnails, {@link #defaultFetchConcurrency()} downloads in flight, spread stages, header checks,
   * 30 min per stage, 1 retry.
   */
  public static PipelineSettings forScale(double scale, Path outputDir) {
    return new PipelineSettings(MediaGenerator.plan(scale), scale, 10, "m4a", 240, 4, defaultFetchConcurrency(),
        true, Verify.HEADERS, Duration.ofMinutes(30), 1, 42, outputDir);
  }

  /** Two fetches per core of this machine, 2 to 16. */
  public static int defaultFetchConcurrency() {
    return Math.min(16, Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
  }

  public PipelineSettings inputs(List<MediaSpec> v) {
    return new PipelineSettings(v, scale, segmentSeconds, audioFormat, renditionHeight, thumbnailCount,
        fetchConcurrency, spreadStages, verify, stageTimeout, maxRetries, shuffleSeed, outputDir);
  }

  public PipelineSettings segmentSeconds(int v) {
    return new PipelineSettings(inputs, scale, v, audioFormat, renditionHeight, thumbnailCount, fetchConcurrency,
        spreadStages, verify, stageTimeout, maxRetries, shuffleSeed, outputDir);
  }

  public PipelineSettings audioFormat(String v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, v, renditionHeight, thumbnailCount, fetchConcurrency,
        spreadStages, verify, stageTimeout, maxRetries, shuffleSeed, outputDir);
  }

  public PipelineSettings renditionHeight(int v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, audioFormat, v, thumbnailCount, fetchConcurrency,
        spreadStages, verify, stageTimeout, maxRetries, shuffleSeed, outputDir);
  }

  public PipelineSettings thumbnailCount(int v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, audioFormat, renditionHeight, v, fetchConcurrency,
        spreadStages, verify, stageTimeout, maxRetries, shuffleSeed, outputDir);
  }

  public PipelineSettings fetchConcurrency(int v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, audioFormat, renditionHeight, thumbnailCount, v,
        spreadStages, verify, stageTimeout, maxRetries, shuffleSeed, outputDir);
  }

  public PipelineSettings spreadStages(boolean v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, audioFormat, renditionHeight, thumbnailCount,
        fetchConcurrency, v, verify, stageTimeout, maxRetries, shuffleSeed, outputDir);
  }

  public PipelineSettings verify(Verify v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, audioFormat, renditionHeight, thumbnailCount,
        fetchConcurrency, spreadStages, v, stageTimeout, maxRetries, shuffleSeed, outputDir);
  }

  public PipelineSettings stageTimeout(Duration v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, audioFormat, renditionHeight, thumbnailCount,
        fetchConcurrency, spreadStages, verify, v, maxRetries, shuffleSeed, outputDir);
  }

  public PipelineSettings maxRetries(int v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, audioFormat, renditionHeight, thumbnailCount,
        fetchConcurrency, spreadStages, verify, stageTimeout, v, shuffleSeed, outputDir);
  }

  public PipelineSettings shuffleSeed(long v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, audioFormat, renditionHeight, thumbnailCount,
        fetchConcurrency, spreadStages, verify, stageTimeout, maxRetries, v, outputDir);
  }

  public PipelineSettings outputDir(Path v) {
    return new PipelineSettings(inputs, scale, segmentSeconds, audioFormat, renditionHeight, thumbnailCount,
        fetchConcurrency, spreadStages, verify, stageTimeout, maxRetries, shuffleSeed, v);
  }
}
