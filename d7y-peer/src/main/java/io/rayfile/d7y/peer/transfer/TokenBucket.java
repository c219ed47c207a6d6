package io.rayfile.d7y.peer.transfer;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A byte-rate limiter shared by every upload of a daemon. Reservation style: {@link #reserve(long)} always
 * grants and returns how long the caller must wait before sending, so later callers line up behind earlier ones
 * in time. Up to {@code burst} bytes of unused allowance accumulate while idle.
 *
 * <p>Kept as a "theoretical arrival time" (GCRA) in nanoseconds rather than a token count: exact for any rate,
 * no fractional tokens to carry. Time is injected ({@code nanoTime}), so tests drive it by hand. Thread-safe.
 */
public final class TokenBucket {
  private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

  private final long bytesPerSecond;
  private final long burst;
  private final long burstNanos;
  private final LongSupplier nanoTime;
  /** When the allowance handed out so far is used up at the configured rate. */
  private long tat;

  /**
   * @param bytesPerSecond refill rate; 0 means unlimited (every reservation is granted at once)
   * @param burst most bytes that may go out back to back after an idle period (at least 1)
   * @param nanoTime monotonic time source, e.g. {@code System::nanoTime}
   */
  public TokenBucket(long bytesPerSecond, long burst, LongSupplier nanoTime) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytesPerSecond must be >= 0 (0 = unlimited), got " + bytesPerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be >= 1, got " + burst);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.burstNanos = bytesPerSecond == 0 ? 0 : nanosFor(burst);
    this.tat = nanoTime.getAsLong();
  }

  /** An unlimited bucket. */
  public static TokenBucket unlimited() {
    return new TokenBucket(0, 1, System::nanoTime);
  }

  public boolean isUnlimited() {
    return bytesPerSecond == 0;
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  public long burst() {
    return burst;
  }

  /**
   * Takes {@code bytes} of allowance.
   *
   * @return nanoseconds the caller must wait before sending them (0: send now)
   */
  public synchronized long reserve(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
    if (isUnlimited()) {
      return 0;
    }
    long now = nanoTime.getAsLong();
    long start = Math.max(tat, now); // tat <= now: the bucket is full
    tat = start + nanosFor(bytes);
    return Math.max(0, tat - now - burstNanos);
  }

  /** Bytes that could go out right now without waiting (negative while reservations are outstanding). */
  public synchronized long available() {
    if (isUnlimited()) {
      return Long.MAX_VALUE;
    }
    long now = nanoTime.getAsLong();
    long slack = Math.min(burstNanos, now - tat + burstNanos);
    // slack * rate / 1e9, floor, without overflow
    return Math.floorDiv(slack, NANOS_PER_SECOND) * bytesPerSecond
        + (long) Math.floor(Math.floorMod(slack, NANOS_PER_SECOND) * (double) bytesPerSecond / NANOS_PER_SECOND);
  }

  /** Nanoseconds it takes to earn {@code bytes} at the rate, rounded up. */
  private long nanosFor(long bytes) {
    long whole = bytes / bytesPerSecond;
    long rest = bytes % bytesPerSecond;
    // rest < rate, so the fraction is < 1 s: a double is exact to well under a nanosecond here
    return whole * NANOS_PER_SECOND + (long) Math.ceil(rest * (double) NANOS_PER_SECOND / bytesPerSecond);
  }
}
