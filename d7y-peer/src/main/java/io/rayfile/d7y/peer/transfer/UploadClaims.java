package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.storage.ContentId;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which pieces this daemon is sending right now, or sent a moment ago, and to which connection: a scarce uploader
 * (a rate-capped daemon, or the seed of a content) sends each piece of a large content to one child at a time and
 * answers the others {@link WireStatus#SENDING_ELSEWHERE}; they take other pieces from it meanwhile and this one
 * from that child. BitTorrent's super-seeding applies the same idea. Why here: without it children had to start at
 * different random pieces to avoid asking a seed for the same ones, so a seed sent several runs of pieces side by
 * side, and every child could hash its content (in piece order) only after the last run had reached its start: with
 * eight children of a 512 MiB content, about 80% of each child's SHA-256 was left for the end.
 *
 * <p>A claim outlives its upload by {@link #LINGER_NANOS}: the child that got the piece announces it in its next
 * bitmap, which its siblings ask for every 250 ms. A failed upload drops its claim at once. Thread-safe.
 */
final class UploadClaims {
  /** How long a sent piece stays claimed: two bitmap refreshes of the children. */
  static final long LINGER_NANOS = 500_000_000L;
  /** Contents with fewer pieces are never refused: a refused child needs other pieces to fetch meanwhile. */
  static final int MIN_PIECES = 16;
  /** Purge expired claims once the table has this many entries. */
  private static final int PURGE_AT = 4096;

  private record Key(ContentId id, int piece) {}

  /** A claim: its holder (a connection); while not {@code sending}, it lasts until {@code sentNanos} + linger. */
  private record Claim(Object owner, boolean sending, long sentNanos) {
    boolean expired(long now) {
      return !sending && now - sentNanos >= LINGER_NANOS;
    }
  }

  private final Map<Key, Claim> claims = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;

  UploadClaims(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Whether claims apply to a content of {@code pieceCount} pieces on a daemon of this kind. */
  static boolean applies(int pieceCount, boolean rateCapped, boolean complete) {
    return pieceCount >= MIN_PIECES && (rateCapped || complete);
  }

  /**
   * Claims {@code piece} of {@code id} for {@code owner}; false when another owner holds an unexpired claim on it
   * (the caller refuses the request).
   */
  boolean claim(ContentId id, int piece, Object owner) {
    long now = nanoTime.getAsLong();
    if (claims.size() >= PURGE_AT) {
      purge(now);
    }
    Claim mine = new Claim(owner, true, now);
    Claim after = claims.merge(new Key(id, piece), mine,
        (old, fresh) -> old.owner == owner || old.expired(now) ? fresh : old);
    return after == mine;
  }

  /**
   * Ends {@code owner}'s claim on a piece: kept for {@link #LINGER_NANOS} when the piece was sent, dropped when it
   * was not (the request was refused or the upload failed).
   */
  void release(ContentId id, int piece, Object owner, boolean sent) {
    long now = nanoTime.getAsLong();
    claims.computeIfPresent(new Key(id, piece),
        (k, c) -> c.owner != owner ? c : sent ? new Claim(owner, false, now) : null);
  }

  /** Claims currently held or lingering (for tests). */
  int size() {
    return claims.size();
  }

  private void purge(long now) {
    for (Iterator<Claim> it = claims.values().iterator(); it.hasNext(); ) {
      if (it.next().expired(now)) {
        it.remove();
      }
    }
  }
}
