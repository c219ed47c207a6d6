package io.rayfile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.examples.media.IndexEntry;
import io.rayfile.examples.media.MediaGenerator;
import io.rayfile.examples.media.MediaPipeline;
import io.rayfile.examples.media.MediaSpec;
import io.rayfile.examples.media.PipelineReport;
import io.rayfile.examples.media.PipelineSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The media pipeline on a head and three nodes, each its own process on loopback; this JVM is the driver (on n0).
 * Inputs are made by ffmpeg tasks on n1 and n2, every output is decoded in full by ffmpeg on the driver and checked
 * for duration and streams, and nothing stays pinned once the pipeline released its handles.
 */
class MediaPipelineIT extends RuntimeClusterTest {
  // 6 clips under 1 MiB (2-7 s) and one ~18 MiB video of 12+ s (split into segments).
  private static final double SCALE = 0.1;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void everyOutputDecodesWithItsExpectedDurationAndStreamsAndNothingStaysPinned() throws Exception {
    start(3);

    List<MediaSpec> plan = MediaGenerator.plan(SCALE);
    PipelineSettings settings = PipelineSettings.forScale(SCALE, tmp.resolve("out"))
        .verify(PipelineSettings.Verify.FULL).stageTimeout(Duration.ofMinutes(2));
    PipelineReport report = MediaPipeline.run(rt, settings).withCacheHits(rt.stats().hits());
    System.out.print(report.toText()); // in the failsafe report: the tables and stage times of this run

    assertTrue(report.ok(), "ffmpeg found bad outputs: " + report.failures());
    assertEquals("n0", report.driverNode(), "the driver's puts and fetches are on n0");
    assertEquals(3, report.nodes());
    assertEquals(plan.size(), report.inputs());
    long clips = plan.stream().filter(s -> s.shape() == MediaSpec.Shape.CLIP).count();
    long videos = plan.size() - clips;
    assertTrue(clips >= 2 && videos >= 1, "the plan has small clips and a split-sized video: " + plan);
    assertEquals(clips, report.stress().row("0-1MB").files(), report.stress().toText());
    assertEquals(videos, report.stress().row("16-32MB").files(), report.stress().toText());
    assertEquals(0, report.stress().unbucketed());
    assertTrue(report.stress().row("0-1MB").p50Seconds() > 0);
    assertEquals(videos, report.stage("split").tasks(), "only the 12+ s videos are split");
    // Decoded in full on the driver: per input audio, rendition and 4 stills, plus the segments of split videos.
    assertTrue(report.verified() >= plan.size() * 6L + videos * 2, "outputs checked: " + report.verified());

    // The index was written by tasks on the nodes (ffmpeg there); check it against what was planned.
    List<IndexEntry> index = IndexEntry.read(report.index());
    assertEquals(plan.size() * (2 + 4), index.size());
    Map<String, List<IndexEntry>> bySource = index.stream().collect(Collectors.groupingBy(IndexEntry::source));
    assertEquals(plan.stream().map(MediaSpec::name).collect(Collectors.toSet()), bySource.keySet());
    for (MediaSpec spec : plan) {
      List<IndexEntry> mine = bySource.get(spec.name());
      IndexEntry audio = only(mine, "audio");
      IndexEntry rendition = only(mine, "rendition");
      assertEquals(1, audio.streams().size(), audio.toString());
      assertTrue(audio.streams().get(0).startsWith("audio:aac"), audio.toString());
      int height = Math.min(settings.renditionHeight(), spec.height());
      assertTrue(rendition.streams().stream().anyMatch(s -> s.startsWith("video:h264 ") && s.endsWith("x" + height)),
          "a " + spec.height() + "-line input gives a " + height + "-line rendition: " + rendition);
      assertTrue(rendition.streams().stream().anyMatch(s -> s.startsWith("audio:")), rendition.toString());
      if (spec.shape() == MediaSpec.Shape.CLIP) {
        assertEquals(spec.seconds(), audio.durationSeconds(), 0.5, audio.toString());
        assertEquals(spec.seconds(), rendition.durationSeconds(), 0.5, rendition.toString());
      } else {
        assertTrue(audio.durationSeconds() > settings.segmentSeconds(), "long enough to split: " + audio);
        assertEquals(audio.durationSeconds(), rendition.durationSeconds(), 0.5, rendition.toString());
      }
      assertEquals(4, mine.stream().filter(e -> e.output().equals("thumbnail")).count(), mine.toString());
    }

    Map<String, Long> hits = report.cacheHits();
    assertTrue(hits.getOrDefault("peer", 0L) + hits.getOrDefault("origin", 0L) > 0,
        "inputs made on n1 and n2 reached n0 over the network: " + hits);
    // The probe file and its task; per input the input, audio, rendition, thumbnails and its index part.
    assertTrue(report.handlesReleased() >= 2 + plan.size() * 5L, "released: " + report.handlesReleased());
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> rt.stats().pinnedBytes() == 0);
    assertEquals(Set.of(0L), rt.stats().nodes().stream().map(n -> n.pinnedBytes()).collect(Collectors.toSet()));
  }

  private static IndexEntry only(List<IndexEntry> entries, String output) {
    List<IndexEntry> found = entries.stream().filter(e -> e.output().equals(output)).toList();
    assertEquals(1, found.size(), output + " entries: " + entries);
    return found.get(0);
  }
}
