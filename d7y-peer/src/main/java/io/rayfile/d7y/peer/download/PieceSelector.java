package io.rayfile.d7y.peer.download;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * Decides which piece to ask which parent for. Pieces go rarest first (counted over the known parents), so the
 * swarm spreads pieces instead of all copying the same ones; ties go in piece order, so a content is hashed while
 * it lands. Children of one seed still ask it for different pieces: a scarce
 * seed sends a piece to one child at a time and tells the others so (a parent that said so does not
 * {@link ParentLink#offers} that piece for a moment). Each piece goes to the holder with the best expected
 * service (measured rate divided by its requests in flight, unknown rates counted as fast): a slow or rate-capped
 * seed is asked only for what no faster parent has. No state of its own (parents forget hold-offs that ran out),
 * and cheap enough for a few thousand pieces.
 */
final class PieceSelector {
  /** Rate assumed for a parent not measured yet: optimistic, so new parents get tried. */
  static final double UNKNOWN_RATE = 200e6;

  /** A planned request. */
  record Assignment(ParentLink parent, int piece) {}

  private PieceSelector() {}

  /**
   * Plans requests for {@code wanted} pieces over {@code parents}, filling each parent's free window at most.
   *
   * @param ready whether a parent may take requests now (not paused)
   * @param nowNanos the time, for pieces a parent said it is sending elsewhere
   */
  static List<Assignment> plan(BitSet wanted, List<ParentLink> parents,
      java.util.function.Predicate<ParentLink> ready, long nowNanos) {
    List<Assignment> out = new ArrayList<>();
    int[] free = new int[parents.size()];
    int totalFree = 0;
    for (int i = 0; i < parents.size(); i++) {
      ParentLink p = parents.get(i);
      free[i] = ready.test(p) ? Math.max(0, p.window - p.inFlight) : 0;
      totalFree += free[i];
    }
    if (totalFree == 0 || wanted.isEmpty()) {
      return out;
    }
    List<int[]> order = new ArrayList<>(); // {piece, count}, in piece order
    for (int piece = wanted.nextSetBit(0); piece >= 0; piece = wanted.nextSetBit(piece + 1)) {
      int count = 0;
      for (ParentLink p : parents) {
        if (p.has(piece)) {
          count++;
        }
      }
      if (count > 0) {
        order.add(new int[] {piece, count});
      }
    }
    order.sort(Comparator.comparingInt(a -> a[1])); // stable: equal counts stay in piece order
    for (int[] o : order) {
      int piece = o[0];
      int best = -1;
      double bestScore = -1;
      for (int i = 0; i < parents.size(); i++) {
        ParentLink p = parents.get(i);
        if (free[i] == 0 || !p.offers(piece, nowNanos)) {
          continue;
        }
        int load = p.window - free[i] + 1; // its requests in flight plus those planned now, plus this one
        double score = (p.rate == 0 ? UNKNOWN_RATE : p.rate) / load;
        if (score > bestScore) {
          best = i;
          bestScore = score;
        }
      }
      if (best >= 0) {
        out.add(new Assignment(parents.get(best), piece));
        free[best]--;
        if (--totalFree == 0) {
          break;
        }
      }
    }
    return out;
  }
}
