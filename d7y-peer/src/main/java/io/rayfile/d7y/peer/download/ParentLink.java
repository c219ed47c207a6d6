package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.HostPort;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * One parent as a download sees it: what it has, how many requests are in flight to it and how many it may have.
 * The window follows measured throughput: enough requests to cover {@link #TARGET_LATENCY_NANOS} of transfer at the
 * rate this parent delivers, so a slow (rate-capped) seed gets few outstanding requests per child (fewer duplicate
 * pieces across children) and a fast parent gets the full window. Halved when the parent says it is busy.
 * Confined to its download's actor.
 */
final class ParentLink {
  static final long TARGET_LATENCY_NANOS = 500_000_000L;
  /**
   * How long a piece this parent is sending elsewhere is not asked of it again: long enough for that copy to land
   * and show in a bitmap (refreshed every 250 ms), short enough to cost little when this parent is the only source.
   */
  static final long ELSEWHERE_HOLD_OFF_NANOS = 500_000_000L;

  final String peerId;
  final HostPort data;
  final boolean seed;
  /** An origin (a source node named by a back-to-source answer): its bytes count as origin bytes. */
  boolean origin;
  /** Null for a seed: it has every piece. */
  BitSet has;
  int inFlight;
  int window;
  long nextBitmapNanos;
  boolean bitmapPending;
  long bytes;
  long pausedUntilNanos;
  /** Exponentially weighted bytes per second delivered, 0 until the first piece. */
  double rate;
  /** Pieces it said it is sending to another peer, with when they may be asked of it again. */
  private final Map<Integer, Long> elsewhereUntil = new HashMap<>();

  ParentLink(ParentInfo info, int window) {
    this.peerId = info.peerId();
    this.data = info.data();
    this.seed = info.seed();
    this.has = info.seed() ? null : info.pieces().map(b -> (BitSet) b.clone()).orElseGet(BitSet::new);
    this.window = window;
  }

  /** A piece of {@code size} bytes arrived {@code elapsedNanos} after it was requested. */
  void delivered(int size, long elapsedNanos, int pieceLength, int maxWindow) {
    bytes += size;
    double sample = size * 1e9 / Math.max(1, elapsedNanos);
    rate = rate == 0 ? sample : 0.7 * rate + 0.3 * sample;
    // requests in flight share the parent's rate, so the per-request sample already reflects the window
    int wanted = (int) Math.ceil(rate * inFlightShare() * TARGET_LATENCY_NANOS / 1e9 / pieceLength) + 1;
    window = Math.max(1, Math.min(maxWindow, wanted));
  }

  private int inFlightShare() {
    return Math.max(1, inFlight + 1);
  }

  /** Whether it holds {@code piece} (as far as this download knows). */
  boolean has(int piece) {
    return has == null || has.get(piece);
  }

  /** Whether {@code piece} may be asked of it now: it holds it and is not sending it elsewhere. */
  boolean offers(int piece, long nowNanos) {
    if (!has(piece)) {
      return false;
    }
    if (elsewhereUntil.isEmpty()) {
      return true; // the common case, checked for every wanted piece and parent on each plan
    }
    Long until = elsewhereUntil.get(piece);
    if (until == null) {
      return true;
    }
    if (nowNanos - until < 0) {
      return false;
    }
    elsewhereUntil.remove(piece);
    return true;
  }

  /** It answered that {@code piece} is on its way to another peer: take it from there, or from here later. */
  void sendingElsewhere(int piece, long nowNanos) {
    elsewhereUntil.put(piece, nowNanos + ELSEWHERE_HOLD_OFF_NANOS);
  }

  /** Whether a piece it said it is sending elsewhere is still held off (it will offer it again later). */
  boolean sendingElsewhere(long nowNanos) {
    elsewhereUntil.values().removeIf(until -> nowNanos - until >= 0); // also pieces fetched elsewhere since
    return !elsewhereUntil.isEmpty();
  }

  void busy(long nowNanos) {
    window = Math.max(1, window / 2);
    pausedUntilNanos = nowNanos + 200_000_000L;
  }
}
