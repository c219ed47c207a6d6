package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.PeerException;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * What one {@link OriginFetcher#fetch} did.
 *
 * @param pieces one result per requested piece, by piece number
 * @param bytesFromOrigin piece bytes received from the origin (including those of failed pieces)
 * @param streamedWhole true when (some) pieces came from one sequential stream because the origin does not serve
 *     ranges
 */
public record OriginReport(List<OriginPieceResult> pieces, long bytesFromOrigin, boolean streamedWhole) {
  public OriginReport {
    pieces = List.copyOf(pieces);
  }

  /** Pieces committed. */
  public BitSet committed() {
    BitSet b = new BitSet();
    pieces.stream().filter(OriginPieceResult::ok).forEach(r -> b.set(r.piece()));
    return b;
  }

  /** Pieces that failed (still missing). */
  public BitSet failed() {
    BitSet b = new BitSet();
    pieces.stream().filter(r -> !r.ok()).forEach(r -> b.set(r.piece()));
    return b;
  }

  /** True when every requested piece was committed. */
  public boolean allOk() {
    return pieces.stream().allMatch(OriginPieceResult::ok);
  }

  /** The error of the lowest failed piece, if any. */
  public Optional<PeerException> firstError() {
    return pieces.stream().filter(r -> !r.ok()).findFirst().flatMap(OriginPieceResult::error);
  }
}
