package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.PeerException;

/**
 * A fetch refused by the parent with an ERROR frame. {@link #code()} is the peer error code to branch on;
 * {@link #status()} the parent's precise reason (e.g. {@link WireStatus#BUSY}: try another parent).
 */
public final class TransferException extends PeerException {
  private static final long serialVersionUID = 1L;

  private final WireStatus status;

  public TransferException(WireStatus status, String message) {
    super(status.errorCode(), message);
    this.status = status;
  }

  public WireStatus status() {
    return status;
  }
}
