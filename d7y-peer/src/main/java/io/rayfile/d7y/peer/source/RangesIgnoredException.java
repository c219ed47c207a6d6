package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;

/**
 * The origin answered a byte-range request with the whole content, and the range starts too far in to skip to.
 * Code {@link ErrorCode#UNAVAILABLE}: the range cannot be had from this origin on its own, but the content can
 * still be streamed whole ({@link OriginFetcher} switches to that when it sees this).
 */
public final class RangesIgnoredException extends PeerException {
  private static final long serialVersionUID = 1L;

  public RangesIgnoredException(String message) {
    super(ErrorCode.UNAVAILABLE, message);
  }
}
