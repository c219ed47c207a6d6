package io.rayfile.d7y.peer.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.storage.ContentId;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UploadClaimsTest {
  private final AtomicLong clock = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
  private final UploadClaims claims = new UploadClaims(clock::get);
  private final ContentId id = ContentId.ofDigest(new byte[32]);

  @Test
  void onlyScarceUploadersOfLargeContentsClaim() {
    assertTrue(UploadClaims.applies(UploadClaims.MIN_PIECES, true, false), "rate-capped");
    assertTrue(UploadClaims.applies(UploadClaims.MIN_PIECES, false, true), "the content's seed");
    assertFalse(UploadClaims.applies(UploadClaims.MIN_PIECES, false, false), "a relay with bandwidth to spare");
    assertFalse(UploadClaims.applies(UploadClaims.MIN_PIECES - 1, true, true), "too few pieces to wait for one");
  }

  @Test
  void aClaimHoldsWhileSendingAndLingersAfterASuccessOnly() {
    assertTrue(claims.claim(id, 7, "a"));
    assertTrue(claims.claim(id, 7, "a"), "the owner may ask again");
    assertFalse(claims.claim(id, 7, "b"));
    assertTrue(claims.claim(id, 8, "b"), "claims are per piece");

    claims.release(id, 7, "b", true); // not b's: no effect
    assertFalse(claims.claim(id, 7, "b"));
    claims.release(id, 7, "a", true);
    clock.addAndGet(UploadClaims.LINGER_NANOS - 1);
    assertFalse(claims.claim(id, 7, "b"), "lingers until a's bitmap can show the piece");
    clock.addAndGet(1);
    assertTrue(claims.claim(id, 7, "b"));

    claims.release(id, 8, "b", false);
    assertTrue(claims.claim(id, 8, "c"), "a failed upload frees its piece at once");
  }

  @Test
  void expiredClaimsArePurgedSoTheTableStaysSmall() {
    for (int p = 0; p < 5000; p++) {
      claims.claim(id, p, "a");
      claims.release(id, p, "a", true);
    }
    clock.addAndGet(UploadClaims.LINGER_NANOS);
    claims.claim(id, 5000, "a");
    assertTrue(claims.size() < 1000, "expired claims stay: " + claims.size());
    assertEquals(1, claims.size());
  }
}
