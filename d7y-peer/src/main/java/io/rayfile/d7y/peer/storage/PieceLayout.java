package io.rayfile.d7y.peer.storage;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;

/**
 * How a content of a given length is cut into pieces. The default piece length is length / 500 rounded up to a
 * power of two and clamped to [4 MiB, 64 MiB], so a content has at most ~500 pieces until it passes 32 GiB.
 *
 * @param length content length in bytes, >= 0
 * @param pieceLength bytes per piece (the last piece may be shorter), a power of two
 */
public record PieceLayout(long length, int pieceLength) {
  public static final int MIN_PIECE = 4 << 20;
  public static final int MAX_PIECE = 64 << 20;
  static final int TARGET_PIECES = 500;

  public PieceLayout {
    if (length < 0) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "content length must be >= 0, got " + length);
    }
    if (pieceLength <= 0 || Integer.bitCount(pieceLength) != 1) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "piece length must be a positive power of two, got " + pieceLength);
    }
    if ((length + pieceLength - 1) / pieceLength > Integer.MAX_VALUE) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "content of " + length + " bytes needs too many pieces of " + pieceLength + " bytes");
    }
  }

  /** The default layout for a content of {@code length} bytes. */
  public static PieceLayout forLength(long length) {
    return new PieceLayout(length, defaultPieceLength(length));
  }

  /** length / 500 rounded up to a power of two, clamped to [4 MiB, 64 MiB]. */
  public static int defaultPieceLength(long length) {
    long want = (length + TARGET_PIECES - 1) / TARGET_PIECES;
    if (want <= MIN_PIECE) {
      return MIN_PIECE;
    }
    if (want >= MAX_PIECE) {
      return MAX_PIECE;
    }
    return (int) Long.highestOneBit(want - 1) << 1;
  }

  /** Number of pieces; an empty content has none. */
  public int pieceCount() {
    return (int) ((length + pieceLength - 1) / pieceLength);
  }

  /** Byte offset of piece {@code index}. */
  public long offset(int index) {
    checkIndex(index);
    return (long) index * pieceLength;
  }

  /** Size in bytes of piece {@code index} (the last one may be short). */
  public int size(int index) {
    checkIndex(index);
    return (int) Math.min(pieceLength, length - (long) index * pieceLength);
  }

  /** True when the whole content fits in one piece: the small-content fast path. */
  public boolean isSinglePiece() {
    return pieceCount() <= 1;
  }

  private void checkIndex(int index) {
    if (index < 0 || index >= pieceCount()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "piece " + index + " is out of range: the content has " + pieceCount() + " pieces");
    }
  }
}
