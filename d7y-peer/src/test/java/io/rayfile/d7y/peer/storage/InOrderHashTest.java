package io.rayfile.d7y.peer.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InOrderHashTest {
  private static final int PIECE = PieceLayout.MIN_PIECE;

  @TempDir
  Path dir;

  private Path file(byte[] bytes) throws IOException {
    return Files.write(dir.resolve("content"), bytes);
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static ContentId sha(byte[] b) throws Exception {
    return ContentId.ofDigest(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void piecesLandingOutOfOrderGiveTheDigestOfTheWholeFile() throws Exception {
    piecesLandingOutOfOrder(false);
  }

  @Test
  void directReadsGiveTheSameDigest() throws Exception {
    assumeTrue(DirectIo.openRead(file(new byte[1])) != null, "the temp dir's file system refuses O_DIRECT");
    piecesLandingOutOfOrder(true);
  }

  private void piecesLandingOutOfOrder(boolean directIo) throws Exception {
    byte[] bytes = random(3 * PIECE + 123, 1); // the last piece ends inside a block
    Path f = file(bytes);
    PieceLayout layout = new PieceLayout(bytes.length, PIECE);
    BitSet done = new BitSet();
    InOrderHash h = new InOrderHash(directIo);
    for (int piece : new int[] {2, 1, 3}) { // piece 0 is missing: nothing can be hashed yet
      done.set(piece);
      h.advance(f, layout, done::get);
    }
    done.set(0);
    h.advance(f, layout, done::get);
    assertEquals(sha(bytes), h.finish(f, layout, done::get));
  }

  @Test
  void aMissingPieceAtTheEndMeansNoDigest() throws Exception {
    byte[] bytes = random(2 * PIECE, 2);
    Path f = file(bytes);
    BitSet done = new BitSet();
    done.set(0);
    assertNull(new InOrderHash(false).finish(f, new PieceLayout(bytes.length, PIECE), done::get));
  }

  @Test
  void resetAfterDroppedPiecesHashesTheRewrittenBytes() throws Exception {
    byte[] bytes = random(2 * PIECE, 3);
    byte[] damaged = bytes.clone();
    damaged[5] ^= 1;
    Path f = file(damaged);
    PieceLayout layout = new PieceLayout(bytes.length, PIECE);
    BitSet done = new BitSet();
    done.set(0);
    InOrderHash h = new InOrderHash(false);
    h.advance(f, layout, done::get); // the damaged piece 0 went into the digest
    done.clear(0);
    h.reset(); // it was dropped, and is written again with the right bytes
    Files.write(f, bytes);
    done.set(0, 2);
    assertEquals(sha(bytes), h.finish(f, layout, done::get));
  }

  @Test
  void aFileThatEndsEarlyGivesNoDigestSoTheCallerHashesItself() throws Exception {
    byte[] bytes = random(PIECE, 4);
    Path f = file(bytes);
    PieceLayout layout = new PieceLayout(2L * PIECE, PIECE); // claims more than the file has
    BitSet done = new BitSet();
    done.set(0, 2);
    assertNull(new InOrderHash(false).finish(f, layout, done::get));
  }

  @Test
  void finishingTwiceHashesFromTheStartAgain() throws Exception {
    byte[] bytes = random(PIECE + 7, 5);
    Path f = file(bytes);
    PieceLayout layout = new PieceLayout(bytes.length, PIECE);
    BitSet done = new BitSet();
    done.set(0, 2);
    InOrderHash h = new InOrderHash(false);
    assertEquals(sha(bytes), h.finish(f, layout, done::get));
    assertEquals(sha(bytes), h.finish(f, layout, done::get));
  }

  @Test
  void committersRacingOnOneContentLoseNoPiece() throws Exception {
    byte[] bytes = random(6 * PIECE + 99, 6);
    Path f = file(bytes);
    PieceLayout layout = new PieceLayout(bytes.length, PIECE);
    BitSet done = new BitSet();
    InOrderHash h = new InOrderHash(false);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<?>[] all = new Future<?>[layout.pieceCount()];
      for (int p = layout.pieceCount() - 1; p >= 0; p--) {
        int piece = p;
        all[p] = pool.submit(() -> {
          synchronized (done) {
            done.set(piece);
          }
          h.advance(f, layout, i -> {
            synchronized (done) {
              return done.get(i);
            }
          });
        });
      }
      for (Future<?> x : all) {
        x.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(sha(bytes), h.finish(f, layout, done::get));
  }
}
