package io.rayfile.d7y.peer.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentId;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UrlTaskTest {
  private static final int PIECE = 4 << 20;

  private static String norm(String url) {
    return UrlTask.normalize(URI.create(url));
  }

  private static UrlTask task(String url) {
    return UrlTask.of(URI.create(url), Optional.empty(), PIECE);
  }

  @Test
  void normalizationLowercasesSchemeAndHostDropsDefaultPortAndFragment() {
    assertEquals("http://example.com/A/b?Q=1&a=2", norm("HTTP://Example.COM:80/A/b?Q=1&a=2#frag"));
    assertEquals("https://example.com/x", norm("https://EXAMPLE.com:443/x"));
    assertEquals("https://example.com:8443/x", norm("https://example.com:8443/x"));
    assertEquals("http://example.com:443/x", norm("http://example.com:443/x"));
    assertEquals("http://example.com/", norm("http://example.com"));
    assertEquals("http://example.com/a%2Fb?x=%20", norm("http://example.com/a%2Fb?x=%20"));
    assertEquals("http://user:pw@example.com/", norm("http://user:pw@Example.com/"));
    assertEquals("http://[::1]:8080/f", norm("http://[::1]:8080/f"));
  }

  @Test
  void taskIdIsSha256OfNormalizedUrlRangeAndPieceLength() throws Exception {
    UrlTask t = task("HTTP://Example.com:80/data.bin?v=1#x");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest("http://example.com/data.bin?v=1||4194304".getBytes(StandardCharsets.UTF_8)));
    assertEquals("task:" + expected, t.contentId());
    assertEquals(new ContentId(expected), t.storeId());
    assertEquals(t.storeId(), UrlTask.storeIdOf(t.contentId()));

    UrlTask ranged = UrlTask.of(URI.create("http://example.com/data.bin?v=1"), Optional.of(new ByteRange(10, 90)),
        PIECE);
    String rangedHex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest("http://example.com/data.bin?v=1|10-99|4194304".getBytes(StandardCharsets.UTF_8)));
    assertEquals("task:" + rangedHex, ranged.contentId());
    assertEquals(10, ranged.originOffset());
  }

  @Test
  void equivalentUrlsShareATaskAndDifferentOnesDoNot() {
    assertEquals(task("http://example.com/f").contentId(), task("HTTP://EXAMPLE.COM:80/f#top").contentId());
    assertNotEquals(task("http://example.com/f").contentId(), task("http://example.com/F").contentId());
    assertNotEquals(task("http://example.com/f?a=1&b=2").contentId(), task("http://example.com/f?b=2&a=1").contentId());
    assertNotEquals(task("http://example.com/f").contentId(), task("https://example.com/f").contentId());
    assertNotEquals(task("http://example.com/f").contentId(),
        UrlTask.of(URI.create("http://example.com/f"), Optional.empty(), PIECE * 2).contentId());
    assertNotEquals(task("http://example.com/f").contentId(),
        UrlTask.of(URI.create("http://example.com/f"), Optional.of(new ByteRange(0, 5)), PIECE).contentId());
  }

  @Test
  void expectedDigestDoesNotChangeTheTaskId() {
    String digest = "sha256:" + "ab".repeat(32);
    UrlTask t = task("http://example.com/f").withExpectedDigest(digest);
    assertEquals(task("http://example.com/f").contentId(), t.contentId());
    assertEquals(Optional.of(ContentId.parse(digest)), t.expectedDigest());
    PeerException e = assertThrows(PeerException.class, () -> task("http://example.com/f").withExpectedDigest("md5:x"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
  }

  @Test
  void badInputIsInvalidArgument() {
    for (String bad : new String[] {"/relative/path", "mailto:someone@example.com", "file:///tmp/x"}) {
      PeerException e = assertThrows(PeerException.class, () -> task(bad), bad);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(PeerException.class,
        () -> UrlTask.of(URI.create("http://example.com/f"), Optional.empty(), 1000)).code());
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(PeerException.class,
        () -> UrlTask.storeIdOf("sha256:" + "ab".repeat(32))).code());
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(PeerException.class, () -> new ByteRange(0, 0)).code());
  }

  @Test
  void redactionDropsCredentialsAndQuery() {
    String r = UrlTask.redact(URI.create("https://user:secret@Bucket.example.com/k/obj?X-Amz-Signature=abc#f"));
    assertEquals("https://bucket.example.com/k/obj?...", r);
    assertTrue(task("https://u:secret@example.com/f?sig=abc").toString().contains("https://example.com/f?..."));
  }
}
