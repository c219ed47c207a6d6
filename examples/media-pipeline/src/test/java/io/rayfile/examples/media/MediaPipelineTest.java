package io.rayfile.examples.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rayfile.api.RayFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver logic end to end on {@link InProcessRuntime} (a test double: tasks on a thread pool, nodes as
 * directories) with real ffmpeg tasks on three tiny clips. The same run on the real runtime is the pipeline's IT.
 */
class MediaPipelineTest {
  @TempDir Path dir;

  private static final List<MediaSpec> CLIPS = List.of(
      MediaSpec.clip("a.mp4", 2, 160, 90, 1),
      MediaSpec.clip("b.mp4", 2, 160, 90, 2),
      MediaSpec.clip("long.mp4", 6, 160, 90, 3));

  private PipelineSettings settings() {
    return PipelineSettings.forScale(0.01, dir.resolve("out")).inputs(CLIPS).segmentSeconds(3).thumbnailCount(2)
        .renditionHeight(60).verify(PipelineSettings.Verify.FULL).stageTimeout(Duration.ofMinutes(2));
  }

  @Test
  void runsEveryStageChecksEveryOutputAndReleasesEveryHandle() throws Exception {
    PipelineReport r;
    InProcessRuntime rt = new InProcessRuntime(dir.resolve("cluster"), 3);
    try {
      r = MediaPipeline.run(rt, settings());
      assertEquals(0, rt.openHandles(), "every handle released");
      assertTrue(rt.transfers.get() > 0, "tasks downloaded inputs from other nodes");
      assertEquals(Set.of("node-1", "node-2", "node-0"), rt.ranOn.keySet(), "spread over every node");
    } finally {
      rt.close();
    }

    assertTrue(r.ok(), "failures: " + r.failures());
    assertEquals("node-0", r.driverNode());
    assertEquals(List.of("locate", "generate", "download", "probe", "split", "audio", "transcode", "thumbnails",
        "index", "collect", "verify", "release"), r.stages().stream().map(PipelineReport.StageTiming::stage).toList());
    assertEquals(1, r.stage("split").tasks(), "only the 6 s clip is longer than 3 s segments");
    assertEquals(3, r.stress().row("0-1MB").files());
    assertEquals(0, r.stress().row("16-32MB").files());
    assertTrue(r.stress().row("0-1MB").p50Seconds() > 0);
    assertEquals(3 * 4, r.indexEntries());
    assertTrue(r.handlesReleased() >= 2 + 3 * 5, "probe, its task, and per input: input, audio, rendition, "
        + "thumbnails, index: " + r.handlesReleased());
    assertTrue(r.verified() >= 3 * 4, "audio, rendition and two stills per input at least: " + r.verified());

    List<IndexEntry> index = IndexEntry.read(r.index());
    assertEquals(Set.of("a.mp4", "b.mp4", "long.mp4"), index.stream().map(IndexEntry::source)
        .collect(Collectors.toSet()));
    assertTrue(Files.isWritable(r.index()), "the kept index is an ordinary file");

    JsonNode json = new ObjectMapper().readTree(r.toJson());
    assertEquals(5, json.get("stress").get("buckets").size());
    assertEquals(3, json.get("stress").get("buckets").get(0).get("files").asInt());
    assertEquals(12, json.get("stages").size());
    assertTrue(r.toText().contains("0-1MB"), r.toText());
  }

  @Test
  void aFailedStageNamesStageAndInputAndStillReleasesEverything() {
    InProcessRuntime rt = new InProcessRuntime(dir.resolve("cluster"), 2);
    try {
      rt.failing = "thumbnails";
      RayFileException e = assertThrows(RayFileException.class, () -> MediaPipeline.run(rt,
          settings().inputs(CLIPS.subList(0, 1)).verify(PipelineSettings.Verify.NONE)));
      assertEquals(RayFileException.Code.TASK_FAILED, e.code());
      assertTrue(e.getMessage().startsWith("thumbnails failed for a.mp4"), e.getMessage());
      assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
      assertEquals(0, rt.openHandles(), "released after the failure too");
    } finally {
      rt.close();
    }
  }
}
