package io.rayfile.d7y.peer.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import org.junit.jupiter.api.Test;

class PieceLayoutTest {
  private static final long MIB = 1 << 20;
  private static final long GIB = 1L << 30;

  @Test
  void emptyContentHasNoPieces() {
    PieceLayout l = PieceLayout.forLength(0);
    assertEquals(4 * MIB, l.pieceLength());
    assertEquals(0, l.pieceCount());
    assertTrue(l.isSinglePiece());
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(PeerException.class, () -> l.offset(0)).code());
  }

  @Test
  void oneByteIsOneShortPiece() {
    PieceLayout l = PieceLayout.forLength(1);
    assertEquals(1, l.pieceCount());
    assertEquals(1, l.size(0));
    assertEquals(0, l.offset(0));
    assertTrue(l.isSinglePiece());
  }

  @Test
  void exactlyFourMibIsOneFullPiece() {
    PieceLayout l = PieceLayout.forLength(4 * MIB);
    assertEquals(1, l.pieceCount());
    assertEquals(4 * MIB, l.size(0));
    PieceLayout plusOne = PieceLayout.forLength(4 * MIB + 1);
    assertEquals(2, plusOne.pieceCount());
    assertEquals(1, plusOne.size(1));
  }

  @Test
  void twoGibPlusOneUsesFourMibPieces() {
    // 2 GiB / 500 = 4.29 MB, rounded up to 8 MiB
    PieceLayout l = PieceLayout.forLength(2 * GIB + 1);
    assertEquals(8 * MIB, l.pieceLength());
    assertEquals(257, l.pieceCount());
    assertEquals(1, l.size(256));
    assertEquals(256 * 8 * MIB, l.offset(256));
  }

  @Test
  void hundredGibIsClampedToSixtyFourMib() {
    PieceLayout l = PieceLayout.forLength(100 * GIB);
    assertEquals(64 * MIB, l.pieceLength());
    assertEquals(1600, l.pieceCount());
    assertEquals(64 * MIB, l.size(1599));
  }

  @Test
  void defaultPieceLengthIsAPowerOfTwoInRange() {
    for (long len = 0; len < 200 * GIB; len = len * 3 + 7) {
      int p = PieceLayout.defaultPieceLength(len);
      assertEquals(1, Integer.bitCount(p), "length " + len);
      assertTrue(p >= PieceLayout.MIN_PIECE && p <= PieceLayout.MAX_PIECE);
      assertTrue(PieceLayout.forLength(len).pieceCount() <= 500 || p == PieceLayout.MAX_PIECE);
    }
  }

  @Test
  void rejectsNonsense() {
    assertThrows(PeerException.class, () -> new PieceLayout(-1, 4096));
    assertThrows(PeerException.class, () -> new PieceLayout(10, 3000));
    assertThrows(PeerException.class, () -> new PieceLayout(10, 0));
    assertThrows(PeerException.class, () -> PieceLayout.forLength(10).size(1));
  }
}
