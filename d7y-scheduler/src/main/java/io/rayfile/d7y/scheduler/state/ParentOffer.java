package io.rayfile.d7y.scheduler.state;

/**
 * One ranked parent in an answer: a snapshot taken when the answer was made.
 *
 * @param finishedPieces bitmap (piece i = bit i % 8 of byte i / 8); empty when {@code seed}
 */
public record ParentOffer(String peerId, HostInfo host, boolean seed, int finishedPieceCount, byte[] finishedPieces,
    double score) {}
