package io.rayfile.examples.media;

import io.rayfile.api.RayFileException.Code;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ffmpeg this example runs, and the few ways it runs it: any command with a bounded time and its error output
 * captured, {@link #probe} (what {@code ffprobe} would say, read from {@code ffmpeg -i}), and {@link #validate} (a
 * full decode).
 *
 * <p>Which ffmpeg: {@code -Drayfile.ffmpeg=PATH} or {@code $RAYFILE_FFMPEG} if set, else {@code ffmpeg} on
 * {@code PATH}, else the static ffmpeg 4.4.1 inside {@code ws.schild:jave-nativebin-linux64} (Linux x86-64),
 * unpacked once into {@code java.io.tmpdir} (or {@code -Drayfile.ffmpeg.cache=DIR}), so the example runs on a
 * fresh machine without a system package.
 *
 * <pre>{@code
 * Ffmpeg ff = Ffmpeg.get();
 * MediaInfo info = ff.probe(Path.of("talk.mp4"));   // duration, streams
 * ff.validate(Path.of("talk.m4a"));                 // decodes every frame; throws MediaException if it cannot
 * }</pre>
 */
public final class Ffmpeg {
  /** The resource inside jave-nativebin-linux64 holding the static ffmpeg. */
  static final String JAVE_RESOURCE = "ws/schild/jave/nativebin/ffmpeg-amd64";
  private static final int STDERR_TAIL_LINES = 12;
  private static final Pattern DURATION = Pattern.compile("Duration: (\\d+):(\\d{2}):(\\d{2}(?:\\.\\d+)?)");
  private static final Pattern STREAM = Pattern.compile(
      "^\\s*Stream #\\d+:\\d+(?:\\[0x[0-9a-fA-F]+])?(?:\\([^)]*\\))?: (Video|Audio|Subtitle|Data|Attachment): "
          + "([A-Za-z0-9_]+)(.*)$");
  private static final Pattern SIZE = Pattern.compile("[ ,](\\d{1,5})x(\\d{1,5})[ ,\\[]|[ ,](\\d{1,5})x(\\d{1,5})$");
  private static final Pattern RATE = Pattern.compile("(\\d+) Hz");

  private static volatile Ffmpeg instance;

  private final Path executable;
  private final String source;

  private Ffmpeg(Path executable, String source) {
    this.executable = executable;
    this.source = source;
  }

  /** The ffmpeg of this JVM, located (and if needed unpacked) on first use. */
  public static Ffmpeg get() {
    Ffmpeg f = instance;
    if (f == null) {
      synchronized (Ffmpeg.class) {
        f = instance;
        if (f == null) {
          f = locate(System.getenv(), System.getProperties().entrySet().stream().collect(
              java.util.stream.Collectors.toMap(e -> e.getKey().toString(), e -> e.getValue().toString())));
          instance = f;
        }
      }
    }
    return f;
  }

  /**
   * Finds ffmpeg from an environment and system properties (explicit override, then {@code PATH}, then the jave
   * binary unpacked into the cache directory).
   *
   * @throws MediaException UNAVAILABLE when there is none and the jave binary cannot be used here
   */
  public static Ffmpeg locate(Map<String, String> env, Map<String, String> properties) {
    String override = properties.getOrDefault("rayfile.ffmpeg", env.get("RAYFILE_FFMPEG"));
    if (override != null && !override.isBlank()) {
      Path p = Path.of(override);
      if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
        throw new MediaException(Code.UNAVAILABLE, "the ffmpeg named by rayfile.ffmpeg / RAYFILE_FFMPEG (" + p
            + ") is not an executable file");
      }
      return new Ffmpeg(p, "override");
    }
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "ffmpeg");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return new Ffmpeg(candidate, "PATH");
      }
    }
    Path cache = Path.of(properties.getOrDefault("rayfile.ffmpeg.cache", properties.getOrDefault(
        "java.io.tmpdir", "/tmp")));
    return new Ffmpeg(unpackJave(cache, properties), "jave-nativebin");
  }

  /**
   * Unpacks the jave binary into {@code cacheDir/rayfile-ffmpeg-<size>/ffmpeg} unless it is there already. Written
   * to a temporary name and renamed, so concurrent JVMs never run a half-written binary.
   */
  static Path unpackJave(Path cacheDir, Map<String, String> properties) {
    String os = properties.getOrDefault("os.name", "").toLowerCase(Locale.ROOT);
    String arch = properties.getOrDefault("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new MediaException(Code.UNAVAILABLE, "no ffmpeg on PATH, and the bundled static ffmpeg is for Linux "
          + "x86-64 only (this is " + os + "/" + arch + "): install ffmpeg or set RAYFILE_FFMPEG");
    }
    URL url = Ffmpeg.class.getClassLoader().getResource(JAVE_RESOURCE);
    if (url == null) {
      throw new MediaException(Code.UNAVAILABLE, "no ffmpeg on PATH and no " + JAVE_RESOURCE + " on the class path: "
          + "add ws.schild:jave-nativebin-linux64 or install ffmpeg");
    }
    try {
      URLConnection connection = url.openConnection();
      long size = connection.getContentLengthLong();
      Path dir = cacheDir.resolve("rayfile-ffmpeg-" + size);
      Path target = dir.resolve("ffmpeg");
      if (Files.isRegularFile(target) && Files.size(target) == size && Files.isExecutable(target)) {
        return target;
      }
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "ffmpeg-", ".part");
      try {
        try (InputStream in = connection.getInputStream()) {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      if (!Files.isExecutable(target)) {
        throw new MediaException(Code.UNAVAILABLE, "unpacked ffmpeg to " + target + " but cannot execute it (a "
            + "noexec file system?): set -Drayfile.ffmpeg.cache to another directory");
      }
      return target;
    } catch (IOException e) {
      throw new MediaException(Code.UNAVAILABLE, "could not unpack the bundled ffmpeg into " + cacheDir + ": " + e
          + "; set -Drayfile.ffmpeg.cache to a writable directory", e);
    }
  }

  /** The ffmpeg executable. */
  public Path executable() {
    return executable;
  }

  /** Where it came from: {@code override}, {@code PATH} or {@code jave-nativebin}. */
  public String source() {
    return source;
  }

  /**
   * How one ffmpeg run ended.
   *
   * @param exitCode the process's exit code
   * @param stderr everything it wrote to standard error
   * @param elapsed how long it ran
   */
  public record Result(int exitCode, String stderr, Duration elapsed) {
    /** The last lines of {@link #stderr}, for error messages. */
    public String stderrTail() {
      return tail(stderr);
    }
  }

  /**
   * Runs ffmpeg with {@code args} (after {@code -hide_banner -nostdin}) and returns how it ended, whatever the exit
   * code. Standard output is discarded.
   *
   * @param subject what the run is about (a file), named in errors
   * @throws MediaException TIMED_OUT if it runs longer than {@code timeout} (it is killed), CANCELLED if this thread
   *     is interrupted (it is killed, the interrupt flag stays set), UNAVAILABLE if it cannot start
   */
  public Result exec(String subject, Duration timeout, List<String> args) {
    List<String> command = new ArrayList<>(args.size() + 3);
    command.add(executable.toString());
    command.add("-hide_banner");
    command.add("-nostdin");
    command.addAll(args);
    long start = System.nanoTime();
    Path err = null;
    Process process = null;
    try {
      // A file, not a pipe: nothing to drain, so ffmpeg can never block on a full stderr pipe.
      err = Files.createTempFile("rayfile-ffmpeg-", ".stderr");
      process = new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(err.toFile())
          .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw new MediaException(Code.TIMED_OUT, "ffmpeg on " + subject + " ran longer than " + timeout.toSeconds()
            + " s and was killed; last output: " + tail(read(err)));
      }
      return new Result(process.exitValue(), read(err), Duration.ofNanos(System.nanoTime() - start));
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new MediaException(Code.CANCELLED, "ffmpeg on " + subject + " was interrupted", e);
    } catch (IOException e) {
      kill(process);
      throw new MediaException(Code.UNAVAILABLE, "could not run " + executable + " on " + subject + ": " + e, e);
    } finally {
      if (err != null) {
        try {
          Files.deleteIfExists(err);
        } catch (IOException ignored) {
          // A leftover temp file is harmless.
        }
      }
    }
  }

  /**
   * Like {@link #exec} but a non-zero exit is an error.
   *
   * @throws MediaException INTERNAL naming {@code subject} with the end of ffmpeg's error output
   */
  public Result run(String subject, Duration timeout, List<String> args) {
    Result r = exec(subject, timeout, args);
    if (r.exitCode() != 0) {
      throw new MediaException(Code.INTERNAL, "ffmpeg failed on " + subject + " (exit " + r.exitCode() + "): "
          + r.stderrTail());
    }
    return r;
  }

  /**
   * Reads a file's duration and streams from {@code ffmpeg -i FILE} (which exits 1: no output was asked for).
   *
   * @throws MediaException INVALID_ARGUMENT when the file does not exist or is not media ffmpeg can read
   */
  public MediaInfo probe(Path file) {
    requireFile(file);
    Result r = exec(file.toString(), Duration.ofSeconds(30), List.of("-i", file.toString()));
    if (!r.stderr().contains("Input #0")) {
      throw new MediaException(Code.INVALID_ARGUMENT, file + " is not a media file ffmpeg can read: "
          + r.stderrTail());
    }
    return parse(file.getFileName().toString(), size(file), r.stderr());
  }

  /**
   * Decodes every stream of {@code file} to nowhere; any decoding error fails it.
   *
   * @throws MediaException INVALID_ARGUMENT naming the file when it is missing or does not decode cleanly
   */
  public void validate(Path file) {
    requireFile(file);
    Result r = exec(file.toString(), budget(size(file)),
        List.of("-v", "error", "-xerror", "-i", file.toString(), "-f", "null", "-"));
    if (r.exitCode() != 0 || !r.stderr().isBlank()) {
      throw new MediaException(Code.INVALID_ARGUMENT, file + " does not decode cleanly (exit " + r.exitCode()
          + "): " + r.stderrTail());
    }
  }

  /** A time budget for one ffmpeg pass over {@code bytes} of media: generous, for a loaded 2-core machine. */
  public static Duration budget(long bytes) {
    return Duration.ofSeconds(60 + bytes / 5_000_000L);
  }

  /** Parses {@code ffmpeg -i} output; package-private for tests. */
  static MediaInfo parse(String name, long bytes, String stderr) {
    OptionalDouble duration = OptionalDouble.empty();
    List<MediaInfo.Stream> streams = new ArrayList<>();
    boolean inInput = false;
    for (String line : stderr.split("\\R")) {
      if (line.startsWith("Input #")) {
        inInput = line.startsWith("Input #0");
        continue;
      }
      if (line.startsWith("Output #") || line.startsWith("Stream mapping")) {
        inInput = false;
      }
      if (!inInput) {
        continue;
      }
      Matcher d = DURATION.matcher(line);
      if (d.find() && duration.isEmpty()) {
        duration = OptionalDouble.of(Integer.parseInt(d.group(1)) * 3600.0 + Integer.parseInt(d.group(2)) * 60.0
            + Double.parseDouble(d.group(3)));
      }
      Matcher s = STREAM.matcher(line);
      if (s.find()) {
        MediaInfo.Kind kind = switch (s.group(1)) {
          case "Video" -> MediaInfo.Kind.VIDEO;
          case "Audio" -> MediaInfo.Kind.AUDIO;
          default -> MediaInfo.Kind.OTHER;
        };
        String rest = s.group(3);
        int w = 0;
        int h = 0;
        int rate = 0;
        if (kind == MediaInfo.Kind.VIDEO) {
          Matcher m = SIZE.matcher(rest);
          if (m.find()) {
            w = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(3));
            h = Integer.parseInt(m.group(2) != null ? m.group(2) : m.group(4));
          }
        } else if (kind == MediaInfo.Kind.AUDIO) {
          Matcher m = RATE.matcher(rest);
          if (m.find()) {
            rate = Integer.parseInt(m.group(1));
          }
        }
        streams.add(new MediaInfo.Stream(kind, s.group(2), w, h, rate));
      }
    }
    return new MediaInfo(name, bytes, duration, streams);
  }

  static void requireFile(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.exists(file)) {
      throw new MediaException(Code.INVALID_ARGUMENT, "no such file: " + file);
    }
    if (!Files.isRegularFile(file)) {
      throw new MediaException(Code.INVALID_ARGUMENT, file + " is not a regular file");
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void kill(Process process) {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The file as text, at most its last MiB (a broken input can make ffmpeg print an error per frame). */
  private static String read(Path file) throws IOException {
    if (file == null) {
      return "";
    }
    long max = 1 << 20;
    try (var ch = java.nio.channels.FileChannel.open(file)) {
      long size = ch.size();
      long from = Math.max(0, size - max);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (size - from));
      while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
        // Positional reads until the tail is in.
      }
      // Decoding with replacement: metadata may hold bytes that are not UTF-8.
      return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }
  }

  private static String tail(String text) {
    String[] lines = text.strip().split("\\R");
    int from = Math.max(0, lines.length - STDERR_TAIL_LINES);
    String t = String.join(" | ", java.util.Arrays.asList(lines).subList(from, lines.length)).strip();
    return t.isEmpty() ? "(no output)" : t;
  }
}
