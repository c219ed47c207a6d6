package io.rayfile.d7y.peer.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long MIB = 1 << 20;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);

  @Test
  void burstGoesOutAtOnceThenTheRateApplies() {
    TokenBucket b = new TokenBucket(MIB, MIB, now::get);
    assertEquals(0, b.reserve(MIB), "a full bucket grants its burst");
    assertEquals(SECOND, b.reserve(MIB), "the next MiB waits one second at 1 MiB/s");
    assertEquals(2 * SECOND, b.reserve(MIB), "reservations line up in time");
    now.addAndGet(2 * SECOND);
    assertEquals(SECOND, b.reserve(MIB));
  }

  @Test
  void idleTimeRefillsOnlyUpToTheBurst() {
    TokenBucket b = new TokenBucket(MIB, 2 * MIB, now::get);
    assertEquals(0, b.reserve(2 * MIB));
    now.addAndGet(100 * SECOND);
    assertEquals(2 * MIB, b.available(), "100 s idle gives back the burst, not 100 MiB");
    assertEquals(0, b.reserve(2 * MIB));
    assertEquals(SECOND / 2, b.reserve(MIB / 2));
  }

  @Test
  void sustainedThroughputMatchesTheRate() {
    long rate = 64 * MIB;
    TokenBucket b = new TokenBucket(rate, 4 * MIB, now::get);
    long start = now.get();
    long sent = 0;
    // A sender that always waits as told: 1 GiB in 1 MiB chunks.
    for (int i = 0; i < 1024; i++) {
      long wait = b.reserve(MIB);
      now.addAndGet(wait);
      sent += MIB;
    }
    double seconds = (now.get() - start) / (double) SECOND;
    double measured = sent / seconds;
    // 4 MiB of burst are free, the other 1020 MiB take 1020/64 s.
    assertEquals(1020.0 / 64, seconds, 1e-6);
    assertTrue(measured <= rate * 1.01, "measured " + measured + " B/s for a rate of " + rate);
  }

  @Test
  void partialRefillCountsFractions() {
    TokenBucket b = new TokenBucket(1000, 1000, now::get); // 1000 B/s: one byte per ms
    assertEquals(0, b.reserve(1000));
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1) / 2);
    assertEquals(0, b.available(), "half a millisecond earns no whole byte");
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1) / 2);
    assertEquals(1, b.available());
    assertEquals(TimeUnit.MILLISECONDS.toNanos(9), b.reserve(10));
  }

  @Test
  void unlimitedNeverWaits() {
    TokenBucket b = new TokenBucket(0, 1, now::get);
    assertTrue(b.isUnlimited());
    for (int i = 0; i < 100; i++) {
      assertEquals(0, b.reserve(64 * MIB));
    }
  }

  @Test
  void hugeRatesAndReservationsDoNotOverflow() {
    TokenBucket b = new TokenBucket(Long.MAX_VALUE / 4, 1L << 40, now::get);
    assertEquals(0, b.reserve(1L << 40));
    assertTrue(b.reserve(1L << 40) >= 0);
    TokenBucket slow = new TokenBucket(1, 1, now::get);
    assertEquals(0, slow.reserve(1));
    assertEquals(64 * MIB * SECOND, slow.reserve(64 * MIB));
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1, 1, now::get));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, now::get));
    TokenBucket b = new TokenBucket(1, 1, now::get);
    assertThrows(IllegalArgumentException.class, () -> b.reserve(-1));
  }
}
