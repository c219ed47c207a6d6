package io.rayfile.d7y.peer.transfer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Plain counters: for tests, benchmarks and a daemon without a metrics registry. */
public final class CountingTransferMetrics implements TransferMetrics {
  private final AtomicLong activeUploads = new AtomicLong();
  private final AtomicLong peakActiveUploads = new AtomicLong();
  private final LongAdder uploads = new LongAdder();
  private final LongAdder failedUploads = new LongAdder();
  private final LongAdder bytesServed = new LongAdder();
  private final LongAdder busyRejections = new LongAdder();
  private final LongAdder bytesReceived = new LongAdder();
  private final LongAdder piecesReceived = new LongAdder();
  private final LongAdder corruptPieces = new LongAdder();

  @Override
  public void uploadStarted() {
    long now = activeUploads.incrementAndGet();
    peakActiveUploads.accumulateAndGet(now, Math::max);
  }

  @Override
  public void uploadFinished(boolean success) {
    activeUploads.decrementAndGet();
    uploads.increment();
    if (!success) {
      failedUploads.increment();
    }
  }

  @Override
  public void bytesServed(long bytes) {
    bytesServed.add(bytes);
  }

  @Override
  public void uploadRejectedBusy() {
    busyRejections.increment();
  }

  @Override
  public void bytesReceived(long bytes) {
    bytesReceived.add(bytes);
  }

  @Override
  public void pieceReceived() {
    piecesReceived.increment();
  }

  @Override
  public void corruptPiece() {
    corruptPieces.increment();
  }

  public long activeUploads() {
    return activeUploads.get();
  }

  /** The most uploads that were ever active at once. */
  public long peakActiveUploads() {
    return peakActiveUploads.get();
  }

  public long uploads() {
    return uploads.sum();
  }

  public long failedUploads() {
    return failedUploads.sum();
  }

  public long bytesServed() {
    return bytesServed.sum();
  }

  public long busyRejections() {
    return busyRejections.sum();
  }

  public long bytesReceived() {
    return bytesReceived.sum();
  }

  public long piecesReceived() {
    return piecesReceived.sum();
  }

  public long corruptPieces() {
    return corruptPieces.sum();
  }
}
