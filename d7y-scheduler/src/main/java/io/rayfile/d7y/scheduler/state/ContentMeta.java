package io.rayfile.d7y.scheduler.state;

import io.rayfile.d7y.scheduler.SchedulerException;

/**
 * A content's size and piece layout. {@code pieceCount = ceil(length / pieceLength)}; an empty content has
 * length 0 and 0 pieces. {@code kind} is the peers' content kind number, carried and never interpreted here
 * (0 = unknown): two metas describe the same content when their layouts agree ({@link #sameLayout}).
 */
public record ContentMeta(long length, int pieceLength, int pieceCount, int kind) {
  /** A meta whose kind is not known. */
  public ContentMeta(long length, int pieceLength, int pieceCount) {
    this(length, pieceLength, pieceCount, 0);
  }

  /** True when both describe the same bytes in the same pieces (kinds aside). */
  public boolean sameLayout(ContentMeta other) {
    return length == other.length && pieceLength == other.pieceLength && pieceCount == other.pieceCount;
  }

  /** This meta, with {@code other}'s kind when this one's is unknown. */
  public ContentMeta withKindFrom(ContentMeta other) {
    return kind == 0 && other.kind != 0 ? new ContentMeta(length, pieceLength, pieceCount, other.kind) : this;
  }

  public ContentMeta {
    if (length < 0) {
      throw SchedulerException.invalid("content length must be >= 0, got " + length);
    }
    if (pieceLength < 0) {
      throw SchedulerException.invalid("piece length must be >= 0, got " + pieceLength);
    }
    if (length == 0) {
      if (pieceCount != 0) {
        throw SchedulerException.invalid("an empty content has 0 pieces, got piece count " + pieceCount);
      }
    } else {
      if (pieceLength == 0) {
        throw SchedulerException.invalid("piece length must be > 0 for a content of " + length + " bytes");
      }
      long expected = (length + pieceLength - 1) / pieceLength;
      if (expected != pieceCount) {
        throw SchedulerException.invalid("piece count " + pieceCount + " does not match length " + length
            + " / piece length " + pieceLength + " (expected " + expected + ")");
      }
    }
  }

  /** The layout of a content of {@code length} bytes in pieces of {@code pieceLength}. */
  public static ContentMeta of(long length, int pieceLength) {
    if (length < 0 || pieceLength <= 0) {
      throw SchedulerException.invalid("need length >= 0 and piece length > 0, got " + length + " / "
          + pieceLength);
    }
    long count = (length + pieceLength - 1) / pieceLength;
    if (count > Integer.MAX_VALUE) {
      throw SchedulerException.invalid("content of " + length + " bytes has too many pieces of " + pieceLength);
    }
    return new ContentMeta(length, pieceLength, (int) count);
  }
}
