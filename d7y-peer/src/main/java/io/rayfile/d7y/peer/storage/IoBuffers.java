package io.rayfile.d7y.peer.storage;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reusable direct read buffers for hashing and verifying. Allocating a direct buffer zeroes it, and a node that
 * completes hundreds of small contents a second would otherwise spend its time zeroing 4 MiB buffers and growing
 * its resident memory until the GC frees them. At most {@link #KEPT} buffers are kept; a burst beyond that
 * allocates and drops.
 */
final class IoBuffers {
  static final int KEPT = 8;

  private static final ConcurrentLinkedQueue<ByteBuffer> FREE = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger FREE_COUNT = new AtomicInteger();

  private IoBuffers() {}

  static ByteBuffer take() {
    ByteBuffer b = FREE.poll();
    if (b == null) {
      return DirectIo.allocateAligned(ContentHasher.BUFFER_SIZE); // aligned: direct reads use them too
    }
    FREE_COUNT.decrementAndGet();
    b.clear();
    return b;
  }

  static void give(ByteBuffer b) {
    if (FREE_COUNT.incrementAndGet() <= KEPT) {
      FREE.offer(b);
    } else {
      FREE_COUNT.decrementAndGet();
    }
  }
}
