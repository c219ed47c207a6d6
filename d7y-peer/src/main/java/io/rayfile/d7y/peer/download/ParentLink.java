package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.HostPort;
import java.util.BitSet;

/**
 * One parent as a download sees it: what it has, how many requests are in flight to it and how many it may
 * have (an AIMD window: +1 per piece delivered, halved when it is busy). Confined to its download's actor.
 */
final class ParentLink {
  final String peerId;
  final HostPort data;
  final boolean seed;
  /** Null for a seed: it has every piece. */
  BitSet has;
  int inFlight;
  int window;
  long nextBitmapNanos;
  boolean bitmapPending;
  long bytes;
  long pausedUntilNanos;

  ParentLink(ParentInfo info, int window) {
    this.peerId = info.peerId();
    this.data = info.data();
    this.seed = info.seed();
    this.has = info.seed() ? null : info.pieces().map(b -> (BitSet) b.clone()).orElseGet(BitSet::new);
    this.window = window;
  }

  void delivered(int bytes, int maxWindow) {
    this.bytes += bytes;
    window = Math.min(maxWindow, window + 1);
  }

  void busy(long nowNanos) {
    window = Math.max(1, window / 2);
    pausedUntilNanos = nowNanos + 200_000_000L;
  }
}
