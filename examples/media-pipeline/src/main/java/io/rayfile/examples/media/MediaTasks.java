package io.rayfile.examples.media;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rayfile.api.RayFileException.Code;
import io.rayfile.api.TaskContext;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The pipeline's RayFile tasks. Each is a static method with the shapes of {@link io.rayfile.api.Task}: {@code Path}
 * parameters are local read-only inputs, and the returned path is a file or directory written under {@link
 * TaskContext#scratchDir()}, which the runtime uploads as the task's output.
 *
 * <pre>{@code
 * FileRef audio = rt.task(MediaTasks::extractAudio, video, "m4a").remote();
 * FileRef small = rt.task(MediaTasks::transcode, video, 240).remote();
 * FileRef thumbs = rt.task(MediaTasks::thumbnails, video, 4).remote();
 * FileRef index = rt.task(MediaTasks::writeIndex, "talk.mp4", audio, small, thumbs).remote();
 * }</pre>
 *
 * <p>They run anywhere a {@link TaskContext} is current, so tests call them directly inside {@link
 * TaskContext#enter}. Bad input (a missing file, a file that is not media, a video without audio) fails with a
 * {@link MediaException} naming the file.
 */
public final class MediaTasks {
  /** Audio formats {@link #extractAudio} writes. */
  public static final Set<String> AUDIO_FORMATS = Set.of("m4a", "mp3", "wav", "flac");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int THUMBNAIL_HEIGHT = 180;

  private MediaTasks() {}

  /** Generates {@code spec} (see {@link MediaGenerator}) on the node running the task: {@code <name>}. */
  public static Path generate(MediaSpec spec) {
    return MediaGenerator.generate(spec, scratch());
  }

  /**
   * Cuts {@code video} into segments of about {@code seconds} (at key frames, by stream copy):
   * {@code <stem>.segments/seg-0000.mp4, ...}. A video shorter than {@code seconds} gives one segment.
   */
  public static Path splitSegments(Path video, int seconds) throws IOException {
    if (seconds < 1) {
      throw new MediaException(Code.INVALID_ARGUMENT, "segment length must be >= 1 s, got " + seconds);
    }
    MediaInfo info = requireVideo(video);
    Path out = Files.createDirectories(scratch().resolve(stem(video) + ".segments"));
    Ffmpeg.get().run(video.toString(), Ffmpeg.budget(info.bytes()), List.of("-v", "error", "-y",
        "-i", video.toString(), "-map", "0", "-c", "copy", "-f", "segment", "-segment_time",
        Integer.toString(seconds), "-segment_format", "mp4", "-reset_timestamps", "1",
        out.resolve("seg-%04d.mp4").toString()));
    return out;
  }

  /**
   * Extracts the audio of {@code media} as {@code <stem>.<format>}: {@code m4a} (AAC, stream copy when the source
   * is AAC), {@code mp3}, {@code wav} (16-bit PCM) or {@code flac}.
   */
  public static Path extractAudio(Path media, String format) {
    if (format == null || !AUDIO_FORMATS.contains(format)) {
      throw new MediaException(Code.INVALID_ARGUMENT, "audio format must be one of " + AUDIO_FORMATS + ", got "
          + format);
    }
    MediaInfo info = Ffmpeg.get().probe(media);
    if (!info.hasAudio()) {
      throw new MediaException(Code.INVALID_ARGUMENT, media + " has no audio stream to extract (streams: "
          + describe(info) + ")");
    }
    boolean aacSource = info.streams(MediaInfo.Kind.AUDIO).get(0).codec().equals("aac");
    List<String> codec = switch (format) {
      case "m4a" -> aacSource ? List.of("-c:a", "copy") : List.of("-c:a", "aac", "-b:a", "128k");
      case "mp3" -> List.of("-c:a", "libmp3lame", "-b:a", "128k");
      case "wav" -> List.of("-c:a", "pcm_s16le");
      default -> List.of("-c:a", "flac");
    };
    Path out = scratch().resolve(stem(media) + "." + format);
    List<String> args = new ArrayList<>(List.of("-v", "error", "-y", "-i", media.toString(), "-map", "0:a:0",
        "-vn"));
    args.addAll(codec);
    args.add(out.toString());
    Ffmpeg.get().run(media.toString(), Ffmpeg.budget(info.bytes()), args);
    return out;
  }

  /**
   * Transcodes {@code video} to H.264/AAC at {@code height} lines (never upscaled): {@code <stem>.<height>p.mp4}.
   * {@code video} may also be a directory of segments from {@link #splitSegments}, transcoded in order into one
   * rendition.
   */
  public static Path transcode(Path video, int height) throws IOException {
    if (height < 16 || height > 4320) {
      throw new MediaException(Code.INVALID_ARGUMENT, "rendition height must be in [16, 4320], got " + height);
    }
    List<String> input;
    MediaInfo first;
    long bytes;
    String stem;
    Path scratch = scratch();
    if (Files.isDirectory(video)) {
      List<Path> segments = segments(video);
      first = requireVideo(segments.get(0));
      bytes = 0;
      StringBuilder list = new StringBuilder();
      for (Path s : segments) {
        bytes += Files.size(s);
        list.append("file '").append(s.toAbsolutePath().toString().replace("'", "'\\''")).append("'\n");
      }
      // The input directory is read-only: the list lives in scratch, outside the returned output.
      Path listFile = Files.createTempFile(scratch, ".segments-", ".txt");
      Files.writeString(listFile, list, StandardCharsets.UTF_8);
      input = List.of("-f", "concat", "-safe", "0", "-i", listFile.toString());
      stem = stem(video).replaceFirst("\\.segments$", "");
    } else {
      first = requireVideo(video);
      bytes = first.bytes();
      input = List.of("-i", video.toString());
      stem = stem(video);
    }
    int h = even(Math.min(height, first.height()));
    Path out = scratch.resolve(stem + "." + height + "p.mp4");
    List<String> args = new ArrayList<>(List.of("-v", "error", "-y"));
    args.addAll(input);
    args.addAll(List.of("-map", "0:v:0", "-map", "0:a:0?", "-vf", "scale=-2:" + h, "-c:v", "libx264", "-preset",
        "veryfast", "-crf", "28", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart",
        out.toString()));
    Ffmpeg.get().run(video.toString(), Ffmpeg.budget(bytes), args);
    return out;
  }

  /**
   * Takes {@code count} JPEG stills spread evenly over {@code video} (at the middle of each of {@code count}
   * equal parts), at most 180 lines high: {@code <stem>.thumbs/thumb-01.jpg, ...}. One ffmpeg run seeks to each.
   */
  public static Path thumbnails(Path video, int count) throws IOException {
    if (count < 1 || count > 50) {
      throw new MediaException(Code.INVALID_ARGUMENT, "thumbnail count must be in [1, 50], got " + count);
    }
    MediaInfo info = requireVideo(video);
    double seconds = info.seconds();
    int h = even(Math.min(THUMBNAIL_HEIGHT, info.height()));
    Path out = Files.createDirectories(scratch().resolve(stem(video) + ".thumbs"));
    List<String> args = new ArrayList<>(List.of("-v", "error", "-y"));
    for (int i = 0; i < count; i++) {
      args.addAll(List.of("-ss", String.format(Locale.ROOT, "%.3f", seconds * (i + 0.5) / count), "-i",
          video.toString()));
    }
    for (int i = 0; i < count; i++) {
      args.addAll(List.of("-map", i + ":v:0", "-frames:v", "1", "-vf", "scale=-2:" + h, "-q:v", "3",
          out.resolve(String.format(Locale.ROOT, "thumb-%02d.jpg", i + 1)).toString()));
    }
    Ffmpeg.get().run(video.toString(), Ffmpeg.budget(0), args);
    return out;
  }

  /**
   * The final stage for one source file: reads its outputs (each a file, or a directory whose files are all
   * listed) and writes {@code <source>.index.jsonl}, one {@link IndexEntry} per output file with its size,
   * SHA-256, duration and streams.
   */
  public static Path writeIndex(String source, Path audio, Path rendition, Path thumbnails) throws IOException {
    if (source == null || source.isBlank() || source.contains("/")) {
      throw new MediaException(Code.INVALID_ARGUMENT, "source must be a plain file name, got " + source);
    }
    List<IndexEntry> entries = new ArrayList<>();
    entries.addAll(describeOutput(source, "audio", audio));
    entries.addAll(describeOutput(source, "rendition", rendition));
    entries.addAll(describeOutput(source, "thumbnail", thumbnails));
    return writeLines(scratch().resolve(source + ".index.jsonl"), entries);
  }

  /** Merges two index files into one {@code index.jsonl}, sorted by source, output and name. */
  public static Path mergeIndex(Path a, Path b) throws IOException {
    List<IndexEntry> entries = new ArrayList<>(IndexEntry.read(a));
    entries.addAll(IndexEntry.read(b));
    return writeLines(scratch().resolve("index.jsonl"), entries);
  }

  /**
   * Writes the id of the node running the task to {@code node.txt}. With default (locality) placement a task on
   * a file only one node holds runs there, so the driver learns which node holds what it put.
   */
  public static Path nodeOf(Path anything) throws IOException {
    if (!Files.exists(anything)) {
      throw new MediaException(Code.INVALID_ARGUMENT, "no such file: " + anything);
    }
    return Files.writeString(scratch().resolve("node.txt"), TaskContext.current().nodeId(), StandardCharsets.UTF_8);
  }

  /** The segment files of a {@link #splitSegments} directory, in order. */
  static List<Path> segments(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new MediaException(Code.INVALID_ARGUMENT, "no such directory of segments: " + dir);
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".mp4"))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
      if (files.isEmpty()) {
        throw new MediaException(Code.INVALID_ARGUMENT, dir + " holds no .mp4 segments");
      }
      return files;
    }
  }

  private static List<IndexEntry> describeOutput(String source, String output, Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new MediaException(Code.INVALID_ARGUMENT, "no such " + output + " output of " + source + ": " + path);
    }
    List<Path> files;
    Path base;
    if (Files.isDirectory(path)) {
      base = path.getParent();
      try (Stream<Path> s = Files.walk(path)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
    } else {
      base = path.getParent();
      files = List.of(path);
    }
    List<IndexEntry> entries = new ArrayList<>();
    for (Path f : files) {
      MediaInfo info = Ffmpeg.get().probe(f);
      String name = base == null ? f.toString() : base.relativize(f).toString().replace('\\', '/');
      entries.add(new IndexEntry(source, output, name, Files.size(f), sha256(f),
          info.duration().isPresent() ? info.duration().getAsDouble() : null,
          info.streams().stream().map(MediaInfo.Stream::describe).toList()));
    }
    return entries;
  }

  private static Path writeLines(Path out, List<IndexEntry> entries) throws IOException {
    List<IndexEntry> sorted = entries.stream().sorted(IndexEntry.ORDER).toList();
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (IndexEntry e : sorted) {
        w.write(JSON.writeValueAsString(e));
        w.newLine();
      }
    }
    return out;
  }

  /** Hex SHA-256 of a file, streamed. */
  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MediaInfo requireVideo(Path video) {
    MediaInfo info = Ffmpeg.get().probe(video);
    if (!info.hasVideo()) {
      throw new MediaException(Code.INVALID_ARGUMENT, video + " has no video stream (streams: " + describe(info)
          + ")");
    }
    return info;
  }

  private static String describe(MediaInfo info) {
    return info.streams().isEmpty() ? "none"
        : String.join(", ", info.streams().stream().map(MediaInfo.Stream::describe).toList());
  }

  private static Path scratch() {
    return TaskContext.current().scratchDir();
  }

  private static String stem(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && !Files.isDirectory(p) ? name.substring(0, dot) : name;
  }

  private static int even(int n) {
    return Math.max(2, n - n % 2);
  }
}
