package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;

/**
 * A non-empty byte range of an origin's content.
 *
 * @param offset first byte, >= 0
 * @param length bytes, >= 1
 */
public record ByteRange(long offset, long length) {
  public ByteRange {
    if (offset < 0 || length < 1 || offset + length < 0) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "a byte range needs offset >= 0 and length >= 1, got offset " + offset + ", length " + length);
    }
  }

  /** The last byte (inclusive). */
  public long last() {
    return offset + length - 1;
  }

  /** {@code first-last}, inclusive, as in an HTTP {@code Range} header (without {@code bytes=}). */
  @Override
  public String toString() {
    return offset + "-" + last();
  }
}
