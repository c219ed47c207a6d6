package io.rayfile.d7y.peer.download;

import java.util.BitSet;
import java.util.Collection;

/**
 * Chooses the next piece to ask a parent for: among pieces the parent has and this peer neither holds nor is
 * fetching, the rarest among the known parents (so the swarm spreads pieces instead of all copying the same ones),
 * ties to the lowest index (a streaming reader gets an in-order bias for free). Pure and cheap: a content has at
 * most a few thousand pieces.
 */
final class PieceSelector {
  private PieceSelector() {}

  /**
   * @param wanted pieces this peer still needs and is not fetching
   * @param offered pieces the parent has, or null for a parent that has all of them (a seed)
   * @param availability every known parent's pieces (null entries = seeds, which have all)
   * @return the piece, or -1 when the parent has nothing wanted
   */
  static int pick(BitSet wanted, BitSet offered, Collection<BitSet> availability) {
    BitSet candidates = (BitSet) wanted.clone();
    if (offered != null) {
      candidates.and(offered);
    }
    int best = -1;
    int bestCount = Integer.MAX_VALUE;
    for (int p = candidates.nextSetBit(0); p >= 0; p = candidates.nextSetBit(p + 1)) {
      int count = 0;
      for (BitSet has : availability) {
        if (has == null || has.get(p)) {
          count++;
        }
      }
      if (count < bestCount) {
        best = p;
        bestCount = count;
        if (count <= 1) {
          break; // nobody else has it: cannot get rarer
        }
      }
    }
    return best;
  }
}
