package io.rayfile.examples.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.api.RayFileException;
import io.rayfile.api.TaskContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tasks on a real 3-second clip, run directly inside a {@link TaskContext}; outputs checked by ffmpeg. */
class MediaTasksTest {
  private static final double CLIP_SECONDS = 3;
  private static final double TOLERANCE = 0.25;
  private static final AtomicInteger RUNS = new AtomicInteger();

  @TempDir static Path dir;
  static Path clip;
  static Path silent;
  static Ffmpeg ff;

  @BeforeAll
  static void media() {
    ff = Ffmpeg.get();
    clip = MediaGenerator.generate(MediaSpec.clip("clip.mp4", CLIP_SECONDS, 320, 180, 5), dir.resolve("in"));
    silent = dir.resolve("in/silent.mp4");
    ff.run("silent.mp4", Ffmpeg.budget(0), List.of("-v", "error", "-y", "-f", "lavfi", "-i",
        "testsrc2=size=160x90:rate=10", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", silent.toString()));
  }

  /** Runs {@code task} as a task would: in a fresh scratch directory with a context entered. */
  static <T> T inTask(Callable<T> task) throws Exception {
    int n = RUNS.incrementAndGet();
    Path scratch = Files.createDirectories(dir.resolve("scratch-" + n));
    try (var s = TaskContext.enter(new TaskContext("t" + n, "n1", "j1", scratch, 0))) {
      T out = task.call();
      if (out instanceof Path p) {
        assertTrue(p.toAbsolutePath().startsWith(scratch.toAbsolutePath()), p + " must be under scratch " + scratch);
      }
      return out;
    }
  }

  private static void assertDuration(double expected, MediaInfo info) {
    assertEquals(expected, info.seconds(), TOLERANCE, info.name() + " duration");
  }

  @Test
  void extractAudioWritesDecodableAudioOfTheSameLength() throws Exception {
    for (String format : List.of("m4a", "mp3")) {
      Path out = inTask(() -> MediaTasks.extractAudio(clip, format));
      assertEquals("clip." + format, out.getFileName().toString());
      ff.validate(out);
      MediaInfo info = ff.probe(out);
      assertTrue(info.hasAudio(), out + " has audio");
      assertFalse(info.hasVideo(), out + " has no video");
      assertEquals(format.equals("m4a") ? "aac" : "mp3", info.streams(MediaInfo.Kind.AUDIO).get(0).codec());
      assertDuration(CLIP_SECONDS, info);
    }
  }

  @Test
  void transcodeMakesASmallerRenditionWithBothStreams() throws Exception {
    Path out = inTask(() -> MediaTasks.transcode(clip, 120));
    assertEquals("clip.120p.mp4", out.getFileName().toString());
    ff.validate(out);
    MediaInfo info = ff.probe(out);
    assertEquals(120, info.height());
    assertEquals("h264", info.streams(MediaInfo.Kind.VIDEO).get(0).codec());
    assertTrue(info.hasAudio());
    assertDuration(CLIP_SECONDS, info);

    Path same = inTask(() -> MediaTasks.transcode(clip, 1080));
    assertEquals(180, ff.probe(same).height(), "never upscaled");
  }

  @Test
  void splitThenTranscodeTheSegmentsGivesTheWholeVideo() throws Exception {
    Path segments = inTask(() -> MediaTasks.splitSegments(clip, 1));
    assertEquals("clip.segments", segments.getFileName().toString());
    List<Path> files = MediaTasks.segments(segments);
    assertEquals(3, files.size(), "a 3 s clip with a key frame every second in 1 s segments: " + files);
    double total = 0;
    for (Path f : files) {
      ff.validate(f);
      MediaInfo info = ff.probe(f);
      assertTrue(info.hasVideo() && info.hasAudio(), f + " keeps both streams");
      total += info.seconds();
    }
    assertEquals(CLIP_SECONDS, total, TOLERANCE, "segments add up to the clip");

    Path rendition = inTask(() -> MediaTasks.transcode(segments, 90));
    assertEquals("clip.90p.mp4", rendition.getFileName().toString());
    ff.validate(rendition);
    MediaInfo info = ff.probe(rendition);
    assertEquals(90, info.height());
    assertDuration(CLIP_SECONDS, info);
  }

  @Test
  void thumbnailsAreOneJpegPerPart() throws Exception {
    Path out = inTask(() -> MediaTasks.thumbnails(clip, 3));
    assertEquals("clip.thumbs", out.getFileName().toString());
    List<Path> jpgs;
    try (Stream<Path> s = Files.list(out)) {
      jpgs = s.sorted().toList();
    }
    assertEquals(List.of("thumb-01.jpg", "thumb-02.jpg", "thumb-03.jpg"),
        jpgs.stream().map(p -> p.getFileName().toString()).toList());
    for (Path j : jpgs) {
      ff.validate(j);
      MediaInfo info = ff.probe(j);
      assertEquals("mjpeg", info.streams(MediaInfo.Kind.VIDEO).get(0).codec());
      assertEquals(180, info.height());
    }
  }

  @Test
  void indexListsEveryOutputFileWithItsHashAndMergesSorted() throws Exception {
    Path audio = inTask(() -> MediaTasks.extractAudio(clip, "m4a"));
    Path rendition = inTask(() -> MediaTasks.transcode(clip, 90));
    Path thumbs = inTask(() -> MediaTasks.thumbnails(clip, 2));
    Path index = inTask(() -> MediaTasks.writeIndex("clip.mp4", audio, rendition, thumbs));
    assertEquals("clip.mp4.index.jsonl", index.getFileName().toString());
    List<IndexEntry> entries = IndexEntry.read(index);
    assertEquals(List.of("clip.m4a", "clip.90p.mp4", "clip.thumbs/thumb-01.jpg", "clip.thumbs/thumb-02.jpg"),
        entries.stream().map(IndexEntry::name).toList());
    IndexEntry a = entries.get(0);
    assertEquals("audio", a.output());
    assertEquals(Files.size(audio), a.bytes());
    assertEquals(MediaTasks.sha256(audio), a.sha256());
    assertEquals(CLIP_SECONDS, a.durationSeconds(), TOLERANCE);
    assertEquals(List.of("audio:aac 48000Hz"), a.streams());
    assertTrue(entries.get(2).durationSeconds() < 0.1, "a still lasts one frame: " + entries.get(2));
    assertEquals(List.of("video:mjpeg 320x180"), entries.get(2).streams());

    Path other = inTask(() -> MediaTasks.writeIndex("a-first.mp4", audio, rendition, thumbs));
    Path merged = inTask(() -> MediaTasks.mergeIndex(index, other));
    List<IndexEntry> all = IndexEntry.read(merged);
    assertEquals(8, all.size());
    assertEquals("a-first.mp4", all.get(0).source(), "sorted by source");
    assertEquals("clip.mp4", all.get(7).source());
  }

  @Test
  void nodeOfNamesTheNodeRunningTheTask() throws Exception {
    Path out = inTask(() -> MediaTasks.nodeOf(clip));
    assertEquals("n1", Files.readString(out, StandardCharsets.UTF_8));
  }

  @Test
  void aFileThatIsNotMediaIsRefusedByName() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.mp4"), "these are not frames\n");
    MediaException e = assertThrows(MediaException.class, () -> inTask(() -> MediaTasks.extractAudio(text, "m4a")));
    assertEquals(RayFileException.Code.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("notes.mp4") && e.getMessage().contains("not a media file"), e.getMessage());
    MediaException v = assertThrows(MediaException.class, () -> ff.validate(text));
    assertTrue(v.getMessage().contains("notes.mp4"), v.getMessage());
  }

  @Test
  void aMissingFileIsRefusedByName() {
    Path missing = dir.resolve("gone.mp4");
    for (Callable<Path> task : List.<Callable<Path>>of(
        () -> MediaTasks.extractAudio(missing, "m4a"),
        () -> MediaTasks.transcode(missing, 120),
        () -> MediaTasks.thumbnails(missing, 2),
        () -> MediaTasks.splitSegments(missing, 2))) {
      MediaException e = assertThrows(MediaException.class, () -> inTask(task));
      assertEquals(RayFileException.Code.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains("no such file") && e.getMessage().contains("gone.mp4"), e.getMessage());
    }
  }

  @Test
  void aVideoWithoutAudioAndBadArgumentsAreClearErrors() throws IOException {
    MediaException noAudio = assertThrows(MediaException.class,
        () -> inTask(() -> MediaTasks.extractAudio(silent, "m4a")));
    assertTrue(noAudio.getMessage().contains("silent.mp4 has no audio stream"), noAudio.getMessage());
    MediaException format = assertThrows(MediaException.class,
        () -> inTask(() -> MediaTasks.extractAudio(clip, "ogg")));
    assertTrue(format.getMessage().contains("ogg"), format.getMessage());
    assertThrows(MediaException.class, () -> inTask(() -> MediaTasks.thumbnails(clip, 0)));
    assertThrows(MediaException.class, () -> inTask(() -> MediaTasks.transcode(clip, 8)));
    Path empty = Files.createDirectories(dir.resolve("empty.segments"));
    MediaException noSegments = assertThrows(MediaException.class,
        () -> inTask(() -> MediaTasks.transcode(empty, 120)));
    assertTrue(noSegments.getMessage().contains("empty.segments"), noSegments.getMessage());
  }

  @Test
  void outsideATaskThereIsNoScratchDirectory() {
    RayFileException e = assertThrows(RayFileException.class, () -> MediaTasks.extractAudio(clip, "m4a"));
    assertTrue(e.getMessage().contains("only available inside a running task"), e.getMessage());
  }
}
