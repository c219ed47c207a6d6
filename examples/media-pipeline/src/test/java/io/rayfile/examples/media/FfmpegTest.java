package io.rayfile.examples.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.api.RayFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locating ffmpeg, bounded runs, and parsing what {@code ffmpeg -i} prints. */
class FfmpegTest {
  @TempDir Path dir;

  private static Map<String, String> linux(Path cache) {
    return Map.of("os.name", "Linux", "os.arch", "amd64", "rayfile.ffmpeg.cache", cache.toString());
  }

  @Test
  void withoutFfmpegOnPathTheJaveBinaryIsUnpackedOnceAndRuns() throws Exception {
    Ffmpeg ff = Ffmpeg.locate(Map.of("PATH", dir.resolve("empty-bin").toString()), linux(dir));
    assertEquals("jave-nativebin", ff.source());
    assertTrue(ff.executable().startsWith(dir) && Files.isExecutable(ff.executable()), ff.executable().toString());
    long modified = Files.getLastModifiedTime(ff.executable()).toMillis();
    Ffmpeg again = Ffmpeg.locate(Map.of("PATH", ""), linux(dir));
    assertEquals(ff.executable(), again.executable());
    assertEquals(modified, Files.getLastModifiedTime(again.executable()).toMillis(), "reused, not unpacked again");

    Ffmpeg.Result r = ff.exec("version", Duration.ofSeconds(30), List.of("-version"));
    assertEquals(0, r.exitCode());
  }

  @Test
  void anFfmpegOnPathComesFirst() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path fake = Files.writeString(bin.resolve("ffmpeg"), "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Ffmpeg ff = Ffmpeg.locate(Map.of("PATH", dir.resolve("none") + ":" + bin), linux(dir));
    assertEquals("PATH", ff.source());
    assertEquals(fake, ff.executable());
  }

  @Test
  void aBadOverrideOrAnotherPlatformIsAClearError() {
    MediaException e = assertThrows(MediaException.class, () -> Ffmpeg.locate(Map.of("PATH", ""),
        Map.of("rayfile.ffmpeg", dir.resolve("nope").toString())));
    assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("not an executable"), e.getMessage());
    MediaException mac = assertThrows(MediaException.class, () -> Ffmpeg.locate(Map.of("PATH", ""),
        Map.of("os.name", "Mac OS X", "os.arch", "aarch64", "rayfile.ffmpeg.cache", dir.toString())));
    assertEquals(RayFileException.Code.UNAVAILABLE, mac.code());
    assertTrue(mac.getMessage().contains("install ffmpeg"), mac.getMessage());
  }

  @Test
  void aRunLongerThanItsTimeIsKilledAndNamed() {
    long start = System.nanoTime();
    MediaException e = assertThrows(MediaException.class, () -> Ffmpeg.get().exec("endless.mp4",
        Duration.ofMillis(800), List.of("-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=5",
            "-f", "null", "-")));
    assertEquals(RayFileException.Code.TIMED_OUT, e.code());
    assertTrue(e.getMessage().contains("endless.mp4"), e.getMessage());
    assertTrue(System.nanoTime() - start < 15_000_000_000L, "killed, not waited for");
  }

  @Test
  void aFailedRunCarriesFfmpegsOwnError() {
    MediaException e = assertThrows(MediaException.class, () -> Ffmpeg.get().run("x.mp4", Duration.ofSeconds(30),
        List.of("-v", "error", "-f", "lavfi", "-i", "nosuchsource", "-f", "null", "-")));
    assertEquals(RayFileException.Code.INTERNAL, e.code());
    assertTrue(e.getMessage().contains("x.mp4") && e.getMessage().contains("exit"), e.getMessage());
    assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("nosuchsource"), e.getMessage());
  }

  @Test
  void parsesDurationAndStreamsOfInputZeroOnly() {
    String out = """
        Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'small.mp4':
          Metadata:
            title           : s1
          Duration: 00:01:03.50, start: 0.000000, bitrate: 185 kb/s
          Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 320x180 [SAR 1:1 DAR 16:9], 112 kb/s, 15 fps
          Stream #0:1(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 65 kb/s (default)
          Stream #0:2[0x1e0]: Data: bin_data (text / 0x74786574)
        Output #0, mp4, to 'x.mp4':
          Stream #0:0: Video: h264, yuv420p, 64x64
        """;
    MediaInfo info = Ffmpeg.parse("small.mp4", 10, out);
    assertEquals(63.5, info.seconds(), 1e-9);
    assertEquals(List.of("video:h264 320x180", "audio:aac 44100Hz", "other:bin_data"),
        info.streams().stream().map(MediaInfo.Stream::describe).toList());
    MediaInfo still = Ffmpeg.parse("t.jpg", 10, """
        Input #0, image2, from 't.jpg':
          Duration: N/A, start: 0.000000, bitrate: N/A
          Stream #0:0: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 320x180, 25 tbr
        """);
    assertTrue(still.duration().isEmpty());
    assertEquals(180, still.height());
  }
}
