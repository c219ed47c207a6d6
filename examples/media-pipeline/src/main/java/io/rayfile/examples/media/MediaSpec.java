package io.rayfile.examples.media;

import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;

/**
 * One generated input: what {@link MediaGenerator#generate} makes, and what the pipeline sends to a task to make
 * it on a node. Every spec gives different bytes (its name is written into the file's metadata, its seed into the
 * picture noise and the tone), so no two inputs share a content id.
 *
 * @param name the file name, ending in {@code .mp4}
 * @param shape how it is made
 * @param targetBytes for {@link Shape#CONCAT}: the size to reach (within one base segment); unused for a clip
 * @param seconds for a clip its duration; for {@link Shape#CONCAT} the base segment's duration
 * @param width picture width
 * @param height picture height
 * @param fps frames per second (a key frame every second)
 * @param quality x264 constant rate factor for a clip, constant quantizer for a concatenation (lower: bigger)
 * @param seed varies the picture noise and the tone
 */
public record MediaSpec(String name, Shape shape, long targetBytes, double seconds, int width, int height, int fps,
    int quality, int seed) implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** How a file is made. */
  public enum Shape {
    /** One encode of a lavfi test picture and tone for {@code seconds}: small files. */
    CLIP,
    /**
     * A noisy, high-bitrate base segment of {@code seconds}, repeated by stream copy until {@code targetBytes}:
     * big files cost one short encode plus the disk writes, not an encode of their whole length.
     */
    CONCAT
  }

  /** Checks the fields. */
  public MediaSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shape, "shape");
    if (!name.matches("[A-Za-z0-9._-]+\\.mp4")) {
      throw new IllegalArgumentException("a spec's name is a plain file name ending in .mp4, got " + name);
    }
    if (!(seconds > 0) || seconds > 3600) {
      throw new IllegalArgumentException("seconds must be in (0, 3600], got " + seconds);
    }
    if (width < 16 || height < 16 || width % 2 != 0 || height % 2 != 0) {
      throw new IllegalArgumentException("width and height must be even and >= 16, got " + width + "x" + height);
    }
    if (fps < 1 || fps > 60) {
      throw new IllegalArgumentException("fps must be in [1, 60], got " + fps);
    }
    if (quality < 0 || quality > 51) {
      throw new IllegalArgumentException("quality must be in [0, 51], got " + quality);
    }
    if (shape == Shape.CONCAT && targetBytes < 1) {
      throw new IllegalArgumentException("a concatenation needs targetBytes >= 1, got " + targetBytes);
    }
  }

  /** A small clip. */
  public static MediaSpec clip(String name, double seconds, int width, int height, int seed) {
    return new MediaSpec(name, Shape.CLIP, 0, seconds, width, height, 15, 30, seed);
  }

  /** A concatenation of 2-second noisy segments reaching about {@code targetBytes}. */
  public static MediaSpec concat(String name, long targetBytes, int width, int height, int quality, int seed) {
    return new MediaSpec(name, Shape.CONCAT, targetBytes, 2, width, height, 10, quality, seed);
  }

  /** The tone's frequency: distinct per seed, audible range. */
  int toneHz() {
    return 200 + Math.floorMod(seed, 60) * 15;
  }
}
