package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.PeerException;
import java.time.Duration;
import java.util.Optional;

/**
 * The outcome of one piece of an {@link OriginFetcher#fetch}: committed to its writer, or failed (its writer
 * aborted, nothing of it marked finished).
 *
 * @param piece piece number
 * @param length bytes of the piece (committed ones), or bytes received before the failure
 * @param crc32c the piece's CRC32C when committed, else 0
 * @param elapsed from starting the piece until its commit or failure
 * @param error why it failed; empty when committed
 */
public record OriginPieceResult(int piece, int length, int crc32c, Duration elapsed, Optional<PeerException> error) {

  static OriginPieceResult ok(int piece, int length, int crc32c, Duration elapsed) {
    return new OriginPieceResult(piece, length, crc32c, elapsed, Optional.empty());
  }

  static OriginPieceResult failed(int piece, int length, Duration elapsed, PeerException error) {
    return new OriginPieceResult(piece, length, 0, elapsed, Optional.of(error));
  }

  /** True when the piece was committed. */
  public boolean ok() {
    return error.isEmpty();
  }
}
