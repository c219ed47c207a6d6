package io.rayfile.d7y.peer.storage;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers of one size, block-aligned (so O_DIRECT reads and writes may use them), kept for reuse. Why:
 * allocating a direct buffer zeroes it and leaves it to the GC, and a node that moves hundreds of pieces a second
 * would otherwise spend its time zeroing buffers and growing its resident memory. At most {@code kept} are kept; a
 * burst beyond that allocates and drops.
 */
public final class BufferPool {
  /** The 4 MiB buffers of hashing, verifying and importing ({@link ContentHasher}). */
  static final BufferPool HASHING = new BufferPool(ContentHasher.BUFFER_SIZE, 8);

  private final int size;
  private final int kept;
  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger freeCount = new AtomicInteger();

  BufferPool(int size, int kept) {
    this.size = size;
    this.kept = kept;
  }

  /** The size of every buffer of this pool (a whole number of blocks). */
  public int size() {
    return size;
  }

  /** A cleared buffer; give it back with {@link #give} once nothing reads it any more. */
  public ByteBuffer take() {
    ByteBuffer b = free.poll();
    if (b == null) {
      return DirectIo.allocateAligned(size);
    }
    freeCount.decrementAndGet();
    return b.clear();
  }

  public void give(ByteBuffer b) {
    if (freeCount.incrementAndGet() <= kept) {
      free.offer(b);
    } else {
      freeCount.decrementAndGet();
    }
  }
}
