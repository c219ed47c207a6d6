package io.rayfile.d7y.peer.transfer;

import java.util.ArrayDeque;

/**
 * Per-daemon upload limits: a fixed number of slots (pieces being sent at once), a bounded FIFO of connections
 * waiting for one, and the byte-rate bucket every upload paces itself with. Thread-safe: connections on different
 * event loops share it.
 */
final class UploadLimiter {
  /** Outcome of {@link #acquire}. */
  enum Grant { GRANTED, QUEUED, REJECTED }

  private final int slots;
  private final int queueLimit;
  private final TokenBucket bucket;
  private final ArrayDeque<Runnable> waiters = new ArrayDeque<>();
  private int free;

  UploadLimiter(int slots, int queueLimit, TokenBucket bucket) {
    this.slots = slots;
    this.queueLimit = queueLimit;
    this.bucket = bucket;
    this.free = slots;
  }

  TokenBucket bucket() {
    return bucket;
  }

  /**
   * Takes a slot now, or queues {@code onGranted} (run on the releasing thread once a slot passes to it; it must
   * hop to its own event loop), or refuses when the queue is full.
   */
  synchronized Grant acquire(Runnable onGranted) {
    if (free > 0) {
      free--;
      return Grant.GRANTED;
    }
    if (waiters.size() < queueLimit) {
      waiters.add(onGranted);
      return Grant.QUEUED;
    }
    return Grant.REJECTED;
  }

  /** Withdraws a queued waiter; false when it was not queued (it may already have been granted a slot). */
  synchronized boolean cancel(Runnable onGranted) {
    return waiters.remove(onGranted);
  }

  /** Gives a slot back: to the first waiter if any. */
  void release() {
    Runnable next;
    synchronized (this) {
      next = waiters.poll();
      if (next == null) {
        if (free >= slots) {
          throw new IllegalStateException("upload slot released more often than acquired");
        }
        free++;
        return;
      }
    }
    next.run();
  }

  synchronized int freeSlots() {
    return free;
  }

  synchronized int waiting() {
    return waiters.size();
  }
}
