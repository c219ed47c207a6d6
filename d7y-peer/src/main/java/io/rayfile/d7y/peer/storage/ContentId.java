package io.rayfile.d7y.peer.storage;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.util.HexFormat;

/**
 * A content's identity: {@code sha256:<64 lowercase hex>} of its bytes (for a directory, of its canonical
 * manifest).
 *
 * @param hex the 64 lowercase hex digits, without the {@code sha256:} prefix
 */
public record ContentId(String hex) implements Comparable<ContentId> {
  public static final String PREFIX = "sha256:";

  public ContentId {
    if (hex == null || hex.length() != 64 || !isLowerHex(hex)) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "content id must be 64 lowercase hex digits after 'sha256:', got: " + describe(hex));
    }
  }

  /** Prefix of a URL task's id; its store key is the task's hex (see {@code UrlTask}). */
  public static final String TASK_PREFIX = "task:";

  /**
   * Parses {@code sha256:<hex>} (or {@code task:<hex>}, a URL task's store key); anything else is an
   * {@link ErrorCode#INVALID_ARGUMENT} error.
   */
  public static ContentId parse(String text) {
    if (text != null && text.startsWith(TASK_PREFIX)) {
      return new ContentId(text.substring(TASK_PREFIX.length()));
    }
    if (text == null || !text.startsWith(PREFIX)) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "content id must look like 'sha256:<64 hex digits>', got: " + describe(text));
    }
    return new ContentId(text.substring(PREFIX.length()));
  }

  /** The id of a finished SHA-256 digest (32 bytes). */
  public static ContentId ofDigest(byte[] sha256) {
    if (sha256.length != 32) {
      throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got " + sha256.length);
    }
    return new ContentId(HexFormat.of().formatHex(sha256));
  }

  /** The first two hex digits: the store's fan-out directory. */
  public String shard() {
    return hex.substring(0, 2);
  }

  @Override
  public String toString() {
    return PREFIX + hex;
  }

  @Override
  public int compareTo(ContentId other) {
    return hex.compareTo(other.hex);
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static String describe(String s) {
    if (s == null) {
      return "nothing";
    }
    return s.length() > 80 ? "'" + s.substring(0, 80) + "...' (" + s.length() + " chars)" : "'" + s + "'";
  }
}
