package io.rayfile.d7y.peer.storage;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Everything the metadata store keeps about one content. Immutable: every change makes a new record (arrays are
 * copied in and never handed out), so a record read without a lock is always self-consistent.
 *
 * <p>Binary form (big-endian), version 1: {@code u8 version, u8 kind, u8 state, i64 length, i32 pieceLength,
 * i32 pinCount, i64 lastAccessMillis, i64 createdMillis, i64 treeBytes, i32 entryCount, i32 pieceCount,
 * bitmap[ceil(pieceCount / 8)], i32 crc32c[pieceCount]}. A new field means a new version number; decoding keeps
 * reading every older version.
 */
record ContentRecord(
    ContentKind kind,
    PieceLayout layout,
    ContentState state,
    BitSet finished,
    int[] crcs,
    int pinCount,
    long lastAccessMillis,
    long createdMillis,
    long treeBytes,
    int entryCount) {

  static final byte VERSION = 1;
  private static final int HEADER = 1 + 1 + 1 + 8 + 4 + 4 + 8 + 8 + 8 + 4 + 4;

  ContentRecord {
    finished = (BitSet) finished.clone();
    crcs = crcs.clone();
    if (crcs.length != layout.pieceCount()) {
      throw new IllegalArgumentException("crcs has " + crcs.length + " entries for " + layout.pieceCount() + " pieces");
    }
    if (finished.length() > layout.pieceCount()) {
      throw new IllegalArgumentException("finished bitmap names piece " + (finished.length() - 1)
          + " of a content with " + layout.pieceCount() + " pieces");
    }
  }

  /** A new, empty partial content. */
  static ContentRecord partial(ContentKind kind, PieceLayout layout, long nowMillis) {
    return new ContentRecord(kind, layout, ContentState.PARTIAL, new BitSet(), new int[layout.pieceCount()], 0,
        nowMillis, nowMillis, layout.length(), 0);
  }

  /** A complete content with all its CRCs known. */
  static ContentRecord complete(ContentKind kind, PieceLayout layout, int[] crcs, long nowMillis, long treeBytes,
      int entryCount) {
    BitSet all = new BitSet();
    all.set(0, layout.pieceCount());
    return new ContentRecord(kind, layout, ContentState.COMPLETE, all, crcs, 0, nowMillis, nowMillis, treeBytes,
        entryCount);
  }

  @Override
  public BitSet finished() {
    return (BitSet) finished.clone();
  }

  @Override
  public int[] crcs() {
    return crcs.clone();
  }

  boolean isFinished(int piece) {
    return finished.get(piece);
  }

  int crc(int piece) {
    return crcs[piece];
  }

  int finishedCount() {
    return finished.cardinality();
  }

  boolean allPiecesFinished() {
    return finished.cardinality() == layout.pieceCount();
  }

  boolean complete() {
    return state == ContentState.COMPLETE;
  }

  ContentRecord withPiece(int piece, int crc, long nowMillis) {
    BitSet f = finished();
    f.set(piece);
    int[] c = crcs();
    c[piece] = crc;
    return new ContentRecord(kind, layout, state, f, c, pinCount, Math.max(lastAccessMillis, nowMillis),
        createdMillis, treeBytes, entryCount);
  }

  /** Drops the given pieces and makes the content partial again. */
  ContentRecord withoutPieces(Iterable<Integer> pieces) {
    BitSet f = finished();
    int[] c = crcs();
    for (int p : pieces) {
      f.clear(p);
      c[p] = 0;
    }
    return new ContentRecord(kind, layout, ContentState.PARTIAL, f, c, pinCount, lastAccessMillis, createdMillis,
        treeBytes, entryCount);
  }

  ContentRecord withState(ContentState s) {
    return new ContentRecord(kind, layout, s, finished, crcs, pinCount, lastAccessMillis, createdMillis, treeBytes,
        entryCount);
  }

  ContentRecord withTree(long bytes, int entries) {
    return new ContentRecord(kind, layout, state, finished, crcs, pinCount, lastAccessMillis, createdMillis, bytes,
        entries);
  }

  ContentRecord withPinCount(int pins) {
    return new ContentRecord(kind, layout, state, finished, crcs, Math.max(0, pins), lastAccessMillis,
        createdMillis, treeBytes, entryCount);
  }

  ContentRecord withLastAccess(long millis) {
    return new ContentRecord(kind, layout, state, finished, crcs, pinCount, millis, createdMillis, treeBytes,
        entryCount);
  }

  ContentInfo toInfo(ContentId id) {
    return new ContentInfo(id, kind, layout, finishedCount(), state, pinCount, Instant.ofEpochMilli(lastAccessMillis),
        Instant.ofEpochMilli(createdMillis), treeBytes, entryCount);
  }

  byte[] encode() {
    int pieces = layout.pieceCount();
    int bitmapBytes = (pieces + 7) / 8;
    ByteBuffer b = ByteBuffer.allocate(HEADER + bitmapBytes + 4 * pieces);
    b.put(VERSION).put((byte) kind.ordinal()).put((byte) state.ordinal())
        .putLong(layout.length()).putInt(layout.pieceLength())
        .putInt(pinCount).putLong(lastAccessMillis).putLong(createdMillis)
        .putLong(treeBytes).putInt(entryCount).putInt(pieces);
    byte[] bits = finished.toByteArray(); // little-endian bit order, at most bitmapBytes long
    b.put(bits).position(b.position() + bitmapBytes - bits.length);
    for (int crc : crcs) {
      b.putInt(crc);
    }
    return b.array();
  }

  /**
   * Decodes a record written by {@link #encode()}.
   *
   * @throws IllegalArgumentException when the bytes are not a valid record of a known version
   */
  static ContentRecord decode(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      byte version = b.get();
      if (version != VERSION) {
        throw new IllegalArgumentException("unknown record version " + version);
      }
      ContentKind kind = ContentKind.values()[b.get()];
      ContentState state = ContentState.values()[b.get()];
      PieceLayout layout = new PieceLayout(b.getLong(), b.getInt());
      int pins = b.getInt();
      long lastAccess = b.getLong();
      long created = b.getLong();
      long treeBytes = b.getLong();
      int entryCount = b.getInt();
      int pieces = b.getInt();
      if (pieces != layout.pieceCount()) {
        throw new IllegalArgumentException("piece count " + pieces + " disagrees with the layout " + layout);
      }
      byte[] bits = new byte[(pieces + 7) / 8];
      b.get(bits);
      int[] crcs = new int[pieces];
      for (int i = 0; i < pieces; i++) {
        crcs[i] = b.getInt();
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException(b.remaining() + " trailing bytes");
      }
      return new ContentRecord(kind, layout, state, BitSet.valueOf(bits), crcs, pins, lastAccess, created,
          treeBytes, entryCount);
    } catch (BufferUnderflowException | ArrayIndexOutOfBoundsException | io.rayfile.d7y.peer.PeerException e) {
      throw new IllegalArgumentException("corrupt content record: " + e, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContentRecord r && Arrays.equals(encode(), r.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "ContentRecord[" + kind + ", " + layout + ", " + state + ", " + finishedCount() + "/"
        + layout.pieceCount() + " pieces, pins=" + pinCount + "]";
  }
}
