package io.rayfile.examples.media;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What ffmpeg reports about a media file (parsed from {@code ffmpeg -i FILE}: the static ffmpeg has no ffprobe).
 *
 * @param name the file's name
 * @param bytes its size
 * @param duration its duration in seconds, empty when the container has none (a still image)
 * @param streams its streams, in container order
 */
public record MediaInfo(String name, long bytes, OptionalDouble duration, List<Stream> streams) {

  /** Checks the fields. */
  public MediaInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(duration, "duration");
    streams = List.copyOf(streams);
  }

  /** What a stream carries. */
  public enum Kind {
    VIDEO,
    AUDIO,
    OTHER
  }

  /**
   * One stream.
   *
   * @param kind video, audio or other
   * @param codec the codec name as ffmpeg prints it ({@code h264}, {@code aac}, {@code mjpeg})
   * @param width video width, 0 for audio
   * @param height video height, 0 for audio
   * @param sampleRate audio sample rate in Hz, 0 for video
   */
  public record Stream(Kind kind, String codec, int width, int height, int sampleRate) {
    /** Checks the fields. */
    public Stream {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(codec, "codec");
    }

    /** A short description: {@code video:h264 320x180} or {@code audio:aac 44100Hz}. */
    public String describe() {
      return switch (kind) {
        case VIDEO -> "video:" + codec + " " + width + "x" + height;
        case AUDIO -> "audio:" + codec + " " + sampleRate + "Hz";
        case OTHER -> "other:" + codec;
      };
    }
  }

  /** The streams of one kind. */
  public List<Stream> streams(Kind kind) {
    return streams.stream().filter(s -> s.kind() == kind).toList();
  }

  /** True if it has at least one video stream. */
  public boolean hasVideo() {
    return !streams(Kind.VIDEO).isEmpty();
  }

  /** True if it has at least one audio stream. */
  public boolean hasAudio() {
    return !streams(Kind.AUDIO).isEmpty();
  }

  /** The duration in seconds. */
  public double seconds() {
    return duration.orElseThrow(() -> new MediaException(MediaException.Code.INVALID_ARGUMENT,
        name + " has no duration (a still image or a stream without length)"));
  }

  /** The video height, the first video stream's. */
  public int height() {
    return streams(Kind.VIDEO).stream().findFirst().map(Stream::height).orElseThrow(() -> new MediaException(
        MediaException.Code.INVALID_ARGUMENT, name + " has no video stream"));
  }
}
