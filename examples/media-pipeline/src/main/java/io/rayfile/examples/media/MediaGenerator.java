package io.rayfile.examples.media;

import io.rayfile.api.RayFileException.Code;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Generates test media with ffmpeg's {@code lavfi} sources ({@code testsrc2} picture with noise, {@code sine}
 * tone; H.264 and AAC in MP4), at the sizes of a real media workload.
 *
 * <p>{@link #plan(double)} lists the inputs for a scale: at scale 1, 64 files under 1 MiB, 8 of 16-32 MiB, one of
 * about 384 MiB, one of about 768 MiB and one of about 1.2 GiB (every count scales; the small and 16-32 MiB classes
 * keep at least one file). {@link #generate} writes one of them.
 *
 * <pre>{@code
 * for (MediaSpec spec : MediaGenerator.plan(0.1)) {
 *   Path file = MediaGenerator.generate(spec, Path.of("/tmp/media"));
 * }
 * }</pre>
 */
public final class MediaGenerator {
  static final long MIB = 1L << 20;

  private MediaGenerator() {}

  /**
   * One class of input sizes in the plan.
   *
   * @param bucket the stress-table bucket its files land in
   * @param countAtScale1 how many files at scale 1
   * @param minimum how many files at any scale above 0
   */
  record SizeClass(String bucket, int countAtScale1, int minimum) {
    int count(double scale) {
      return Math.max(minimum, (int) Math.round(countAtScale1 * scale));
    }
  }

  static final List<SizeClass> CLASSES = List.of(
      new SizeClass("0-1MB", 64, 1),
      new SizeClass("16-32MB", 8, 1),
      new SizeClass("256-512MB", 1, 0),
      new SizeClass("512-1024MB", 1, 0),
      new SizeClass("1024-4096MB", 1, 0));

  /**
   * The inputs for {@code scale}, small files first.
   *
   * @throws IllegalArgumentException unless {@code 0 < scale <= 100}
   */
  public static List<MediaSpec> plan(double scale) {
    if (!(scale > 0) || scale > 100) {
      throw new IllegalArgumentException("scale must be in (0, 100], got " + scale);
    }
    List<MediaSpec> specs = new ArrayList<>();
    int seed = 1;
    int small = CLASSES.get(0).count(scale);
    for (int i = 0; i < small; i++) {
      // 2-8 s; every fourth at 640x360: 60 KB to ~700 KB, all under 1 MiB.
      boolean wide = i % 4 == 3;
      specs.add(MediaSpec.clip(String.format(Locale.ROOT, "small-%04d.mp4", i), 2 + i % 7, wide ? 640 : 320,
          wide ? 360 : 180, seed++));
    }
    int medium = CLASSES.get(1).count(scale);
    for (int i = 0; i < medium; i++) {
      // 18-30 MiB at ~1.5 MB/s: 12-20 s long, so the pipeline splits them.
      long target = (18 + (i * 5L) % 13) * MIB;
      specs.add(MediaSpec.concat(String.format(Locale.ROOT, "medium-%03d.mp4", i), target, 640, 360, 24, seed++));
    }
    long[] bigTargets = {384 * MIB, 768 * MIB, 1200 * MIB};
    String[] bigNames = {"large", "larger", "huge"};
    for (int c = 0; c < 3; c++) {
      int n = CLASSES.get(2 + c).count(scale);
      for (int i = 0; i < n; i++) {
        // 720p noise at a constant quantizer of 8: ~15 MB/s of video, so even 1.2 GiB is under 90 s long.
        specs.add(MediaSpec.concat(String.format(Locale.ROOT, "%s-%02d.mp4", bigNames[c], i), bigTargets[c], 1280,
            720, 8, seed++));
      }
    }
    return List.copyOf(specs);
  }

  /**
   * Writes {@code spec} as {@code dir/<spec.name()>} (replacing a file of that name) and returns its path.
   *
   * @throws MediaException when ffmpeg fails
   */
  public static Path generate(MediaSpec spec, Path dir) {
    Ffmpeg ff = Ffmpeg.get();
    try {
      Files.createDirectories(dir);
      Path out = dir.resolve(spec.name());
      Path work = Files.createTempDirectory(dir, ".gen-");
      try {
        if (spec.shape() == MediaSpec.Shape.CLIP) {
          Path tmp = work.resolve(spec.name());
          ff.run(spec.name(), Ffmpeg.budget(0), encode(spec, spec.seconds(), false, tmp));
          Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
          return out;
        }
        Path base = work.resolve("base.mp4");
        ff.run(spec.name() + " (base segment)", Ffmpeg.budget(0), encode(spec, spec.seconds(), true, base));
        long baseBytes = Files.size(base);
        long copies = Math.max(1, Math.round((double) spec.targetBytes() / baseBytes));
        // The concat demuxer resolves names relative to the list file.
        Path list = work.resolve("list.txt");
        StringBuilder lines = new StringBuilder();
        for (long i = 0; i < copies; i++) {
          lines.append("file 'base.mp4'\n");
        }
        Files.writeString(list, lines, StandardCharsets.UTF_8);
        Path tmp = work.resolve(spec.name());
        ff.run(spec.name(), Ffmpeg.budget(spec.targetBytes()), List.of("-v", "error", "-y", "-f", "concat",
            "-safe", "0", "-i", list.toString(), "-map", "0", "-c", "copy", "-metadata", "title=" + spec.name(),
            tmp.toString()));
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        return out;
      } finally {
        deleteTree(work);
      }
    } catch (IOException e) {
      throw new MediaException(Code.INTERNAL, "could not generate " + spec.name() + " in " + dir + ": " + e, e);
    }
  }

  private static List<String> encode(MediaSpec spec, double seconds, boolean noisy, Path out) {
    String picture = String.format(Locale.ROOT, "testsrc2=size=%dx%d:rate=%d", spec.width(), spec.height(),
        spec.fps());
    if (noisy) {
      picture += ",noise=alls=40:allf=t:all_seed=" + spec.seed();
    }
    List<String> a = new ArrayList<>(List.of("-v", "error", "-y",
        "-f", "lavfi", "-i", picture,
        "-f", "lavfi", "-i", "sine=frequency=" + spec.toneHz() + ":sample_rate=48000",
        "-t", String.format(Locale.ROOT, "%.3f", seconds),
        "-map", "0:v", "-map", "1:a", "-pix_fmt", "yuv420p", "-c:v", "libx264"));
    if (noisy) {
      a.addAll(List.of("-preset", "ultrafast", "-qp", Integer.toString(spec.quality())));
    } else {
      a.addAll(List.of("-preset", "veryfast", "-crf", Integer.toString(spec.quality())));
    }
    a.addAll(List.of("-g", Integer.toString(spec.fps()), "-c:a", "aac", "-b:a", noisy ? "96k" : "64k",
        "-metadata", "title=" + spec.name(), out.toString()));
    return a;
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }
}
