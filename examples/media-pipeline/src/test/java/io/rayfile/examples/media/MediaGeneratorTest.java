package io.rayfile.examples.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan's counts and sizes, and generated files (small ones; big ones are the same code path, longer). */
class MediaGeneratorTest {
  private static final long MIB = 1L << 20;

  @TempDir Path dir;

  private static Map<String, Long> countByPrefix(List<MediaSpec> specs) {
    return specs.stream().collect(Collectors.groupingBy(s -> s.name().substring(0, s.name().indexOf('-')),
        Collectors.counting()));
  }

  @Test
  void planScalesCountsAndKeepsSmallAndMediumFiles() {
    assertEquals(Map.of("small", 64L, "medium", 8L, "large", 1L, "larger", 1L, "huge", 1L),
        countByPrefix(MediaGenerator.plan(1)));
    assertEquals(Map.of("small", 128L, "medium", 16L, "large", 2L, "larger", 2L, "huge", 2L),
        countByPrefix(MediaGenerator.plan(2)));
    assertEquals(Map.of("small", 3L, "medium", 1L), countByPrefix(MediaGenerator.plan(0.05)));
    assertThrows(IllegalArgumentException.class, () -> MediaGenerator.plan(0));
    List<MediaSpec> all = MediaGenerator.plan(2);
    assertEquals(all.size(), new HashSet<>(all.stream().map(MediaSpec::name).toList()).size(), "unique names");
    assertEquals(all.size(), new HashSet<>(all.stream().map(MediaSpec::seed).toList()).size(), "unique seeds");
  }

  @Test
  void bigTargetsSitInsideTheirBuckets() {
    Map<String, MediaSpec> byName = MediaGenerator.plan(1).stream().collect(Collectors.toMap(MediaSpec::name,
        Function.identity()));
    for (MediaSpec s : byName.values()) {
      if (s.shape() == MediaSpec.Shape.CONCAT) {
        long t = s.targetBytes();
        long rows = StressTable.BUCKETS.stream().filter(b -> b.contains(t - 16 * MIB / 10)
            && b.contains(t + 16 * MIB / 10)).count();
        assertEquals(1, rows, s.name() + " target " + t + " has room for one base segment either way");
      }
    }
  }

  @Test
  void smallClipsAreUnderOneMibAndDistinct() throws Exception {
    List<MediaSpec> specs = MediaGenerator.plan(0.0625);   // 4 small clips, one at 640x360, and a medium
    MediaSpec widest = specs.stream().filter(s -> s.width() == 640 && s.shape() == MediaSpec.Shape.CLIP)
        .findFirst().orElseThrow();
    Path a = MediaGenerator.generate(specs.get(0), dir);
    Path wide = MediaGenerator.generate(widest, dir);
    assertTrue(Files.size(wide) < MIB && Files.size(a) < MIB, Files.size(a) + " / " + Files.size(wide));
    assertNotEquals(MediaTasks.sha256(a), MediaTasks.sha256(wide));
    MediaInfo info = Ffmpeg.get().probe(a);
    assertEquals(specs.get(0).seconds(), info.seconds(), 0.2);
    assertTrue(info.hasVideo() && info.hasAudio());
    try (var s = Files.list(dir)) {
      assertEquals(2, s.count(), "no work files left behind");
    }
  }

  @Test
  void aConcatenationReachesItsTargetBySegmentCopies() throws Exception {
    long target = 6 * MIB;
    MediaSpec spec = MediaSpec.concat("medium-x.mp4", target, 640, 360, 24, 42);
    Path out = MediaGenerator.generate(spec, dir);
    long size = Files.size(out);
    assertTrue(Math.abs(size - target) < 3 * MIB, "size " + size + " near " + target);
    Ffmpeg.get().validate(out);
    MediaInfo info = Ffmpeg.get().probe(out);
    assertEquals(360, info.height());
    assertTrue(info.hasAudio());
    assertEquals(0, Math.round(info.seconds()) % 2, "whole 2 s segments: " + info.seconds());
  }
}
