package io.rayfile.d7y.peer.transfer;

/**
 * Hooks the data plane calls as bytes move; the daemon backs them with its metrics registry. Called on I/O
 * threads: implementations must be thread-safe and must not block.
 */
public interface TransferMetrics {
  /** Does nothing. */
  TransferMetrics NOOP = new TransferMetrics() {};

  /** An upload got a slot and starts sending a piece. */
  default void uploadStarted() {}

  /** An upload ended (sent, failed or connection lost). */
  default void uploadFinished(boolean success) {}

  /** Piece bytes handed to the socket by the server. */
  default void bytesServed(long bytes) {}

  /** A piece request was refused because every slot and queue place was taken. */
  default void uploadRejectedBusy() {}

  /** Piece bytes received by the client. */
  default void bytesReceived(long bytes) {}

  /** A fetched piece was committed to its sink. */
  default void pieceReceived() {}

  /** A fetched piece did not match the CRC32C its parent announced. */
  default void corruptPiece() {}
}
