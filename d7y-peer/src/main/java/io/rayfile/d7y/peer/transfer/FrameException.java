package io.rayfile.d7y.peer.transfer;

import io.netty.handler.codec.DecoderException;

/** The peer broke the framing; the connection cannot be trusted any more and is closed after reporting it. */
final class FrameException extends DecoderException {
  private static final long serialVersionUID = 1L;

  private final WireStatus status;

  FrameException(WireStatus status, String message) {
    super(message);
    this.status = status;
  }

  WireStatus status() {
    return status;
  }
}
