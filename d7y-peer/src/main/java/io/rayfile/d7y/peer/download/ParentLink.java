package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.HostPort;
import java.util.BitSet;

/**
 * One parent as a download sees it: what it has, how many requests are in flight to it and how many it may have.
 * The window follows measured throughput: enough requests to cover {@link #TARGET_LATENCY_NANOS} of transfer at the
 * rate this parent delivers, so a slow (rate-capped) seed gets few outstanding requests per child (fewer duplicate
 * pieces across children) and a fast parent gets the full window. Halved when the parent says it is busy.
 * Confined to its download's actor.
 */
final class ParentLink {
  static final long TARGET_LATENCY_NANOS = 500_000_000L;

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

  void busy(long nowNanos) {
    window = Math.max(1, window / 2);
    pausedUntilNanos = nowNanos + 200_000_000L;
  }
}
