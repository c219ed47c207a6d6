package io.rayfile.d7y.peer.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** The http(s) backend against a real loopback origin, well-behaved and not. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HttpSourceBackendTest {
  private static final Duration STALL = Duration.ofMillis(600);
  private static final int SIZE = 300_000;

  private TestOrigin origin;
  private HttpSourceBackend http;

  @BeforeEach
  void setUp() throws Exception {
    origin = new TestOrigin(SIZE, 7);
    http = new HttpSourceBackend(HttpSourceSettings.defaults().withMaxSkipBytes(64 << 10));
  }

  @AfterEach
  void tearDown() {
    http.close();
    origin.close();
  }

  private byte[] fetch(String path, long offset, long length) {
    return fetch(origin.url(path), Map.of(), offset, length);
  }

  private byte[] fetch(URI url, Map<String, String> headers, long offset, long length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    http.fetchRange(url, headers, offset, length, chunk -> {
      byte[] b = new byte[chunk.remaining()];
      chunk.get(b);
      out.write(b, 0, b.length);
    }, STALL);
    return out.toByteArray();
  }

  private byte[] slice(long offset, long length) {
    return Arrays.copyOfRange(origin.data, (int) offset, (int) (offset + length));
  }

  private static PeerException fails(ErrorCode code, String messagePart, Executable call) {
    PeerException e = assertThrows(PeerException.class, call);
    assertEquals(code, e.code(), e::toString);
    assertTrue(e.getMessage().contains(messagePart), () -> "expected '" + messagePart + "' in: " + e.getMessage());
    return e;
  }

  @Test
  void probeReadsLengthRangeSupportAndValidatorsFromHead() {
    SourceInfo info = http.probe(origin.url("/ok/file"), Map.of(), STALL);
    assertEquals(new SourceInfo(SIZE, true, Optional.of(TestOrigin.ETAG), Optional.of(TestOrigin.LAST_MODIFIED)),
        info);
    assertEquals(1, origin.count("HEAD"));
    assertEquals(0, origin.count("GET"));
    assertEquals(Map.of("If-Match", TestOrigin.ETAG), info.unchangedConditions());
  }

  @Test
  void probeFallsBackToOneByteGetWhenHeadIsRefused() {
    SourceInfo info = http.probe(origin.url("/no-head/file"), Map.of(), STALL);
    assertEquals(SIZE, info.length());
    assertTrue(info.rangesSupported());
    assertTrue(origin.requests.contains("GET /no-head/file bytes=0-0"), origin.requests::toString);
  }

  @Test
  void probeOfAnOriginIgnoringRangesSaysSo() {
    SourceInfo info = http.probe(origin.url("/ignore-range/file"), Map.of(), STALL);
    assertEquals(SIZE, info.length());
    assertFalse(info.rangesSupported());
  }

  @Test
  void fetchRangeStreamsExactlyTheAskedBytes() {
    assertArrayEquals(slice(0, SIZE), fetch("/ok/file", 0, SIZE));
    assertArrayEquals(slice(12_345, 100_000), fetch("/ok/file", 12_345, 100_000));
    assertArrayEquals(slice(SIZE - 1, 1), fetch("/ok/file", SIZE - 1, 1));
    assertTrue(origin.requests.contains("GET /ok/file bytes=12345-112344"), origin.requests::toString);
  }

  @Test
  void rangeBeyondTheEndIsCorruptContent() {
    fails(ErrorCode.CORRUPT_CONTENT, "past the content's end", () -> fetch("/ok/file", SIZE, 10));
  }

  @Test
  void notFoundNamesTheUrlWithoutItsQuery() {
    URI url = URI.create(origin.url("/status/404") + "?X-Token=SECRET");
    PeerException e = fails(ErrorCode.NOT_FOUND, "/status/404?...",
        () -> http.probe(url, Map.of(), STALL));
    assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
    fails(ErrorCode.NOT_FOUND, "answered 404", () -> fetch(url, Map.of(), 0, 10));
  }

  @Test
  void forbiddenIsAccessDenied() {
    fails(ErrorCode.INVALID_ARGUMENT, "access denied", () -> fetch("/status/403", 0, 10));
    fails(ErrorCode.INVALID_ARGUMENT, "access denied", () -> fetch("/status/401", 0, 10));
    // a HEAD refused with 403 (presigned GET URLs do that) is retried as a GET, which is denied too
    fails(ErrorCode.INVALID_ARGUMENT, "access denied", () -> http.probe(origin.url("/status/403"), Map.of(), STALL));
    assertTrue(origin.requests.contains("GET /status/403 bytes=0-0"), origin.requests::toString);
  }

  @Test
  void serverErrorsAreUnavailable() {
    fails(ErrorCode.UNAVAILABLE, "origin answered 500", () -> fetch("/status/500", 0, 10));
    fails(ErrorCode.UNAVAILABLE, "origin answered 503", () -> http.probe(origin.url("/status/503"), Map.of(), STALL));
  }

  @Test
  void stallBeforeHeadersTimesOut() {
    long t0 = System.nanoTime();
    fails(ErrorCode.UNAVAILABLE, "origin stalled", () -> fetch("/stall-headers", 0, 10));
    fails(ErrorCode.UNAVAILABLE, "origin stalled", () -> http.probe(origin.url("/stall-headers"), Map.of(), STALL));
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4));
  }

  @Test
  void stallInTheMiddleOfTheBodyTimesOut() {
    long t0 = System.nanoTime();
    PeerException e = fails(ErrorCode.UNAVAILABLE, "origin stalled", () -> fetch("/stall-body", 0, 200_000));
    assertTrue(e.getMessage().contains("after 100000 of 200000 bytes"), e.getMessage());
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3));
  }

  @Test
  void originIgnoringRangesIsServedNearTheStartAndRefusedFurtherIn() {
    assertArrayEquals(slice(0, 1000), fetch("/ignore-range/file", 0, 1000));
    assertArrayEquals(slice(50_000, 1000), fetch("/ignore-range/file", 50_000, 1000)); // skip <= 64 KiB
    PeerException e = fails(ErrorCode.UNAVAILABLE, "does not support Range requests",
        () -> fetch("/ignore-range/file", 100_000, 1000));
    assertTrue(e instanceof RangesIgnoredException, e::toString);
  }

  @Test
  void wrongContentRangeIsCorruptContent() {
    fails(ErrorCode.CORRUPT_CONTENT, "when asked for 100-199", () -> fetch("/wrong-range/file", 100, 100));
  }

  @Test
  void redirectsAreFollowedUpToTheLimit() {
    assertArrayEquals(slice(10, 20), fetch("/redirect/3", 10, 20));
    // /redirect/n answers n + 1 redirects
    assertEquals(SIZE, http.probe(origin.url("/redirect/4"), Map.of(), STALL).length());
    fails(ErrorCode.UNAVAILABLE, "redirected more than 5 times", () -> fetch("/redirect/5", 0, 10));
    fails(ErrorCode.UNAVAILABLE, "redirect loop", () -> fetch("/loop", 0, 10));
  }

  @Test
  void credentialsAreDroppedWhenARedirectLeavesTheOrigin() {
    fetch(origin.url("/redirect/0"), Map.of("Authorization", "Bearer t"), 0, 10);
    fetch(origin.url("/redirect-other-host"), Map.of("Authorization", "Bearer t"), 0, 10);
    assertEquals(java.util.List.of("Bearer t", "null"), origin.authorizations);
  }

  @Test
  void contentChangedSinceTheProbeIsCorruptContent() {
    SourceInfo info = http.probe(origin.url("/changed/file"), Map.of(), STALL);
    fails(ErrorCode.CORRUPT_CONTENT, "changed since it was probed",
        () -> fetch(origin.url("/changed/file"), info.unchangedConditions(), 0, 10));
  }

  @Test
  void unreachableOriginIsUnavailable() throws Exception {
    int port;
    try (TestOrigin gone = new TestOrigin(10, 1)) {
      port = gone.port();
    }
    fails(ErrorCode.UNAVAILABLE, "cannot reach origin",
        () -> http.probe(URI.create("http://127.0.0.1:" + port + "/x"), Map.of(), STALL));
  }

  @Test
  void badArgumentsAreRefused() {
    fails(ErrorCode.INVALID_ARGUMENT, "Range header",
        () -> fetch(origin.url("/ok/file"), Map.of("range", "bytes=0-1"), 0, 10));
    fails(ErrorCode.INVALID_ARGUMENT, "request headers",
        () -> fetch(origin.url("/ok/file"), Map.of("Host", "evil"), 0, 10));
    assertFalse(http.supports(URI.create("ftp://example.com/x")));
    assertTrue(http.supports(URI.create("HTTPS://example.com/x")));
    SourceRegistry sources = SourceRegistry.of(http);
    fails(ErrorCode.INVALID_ARGUMENT, "no origin backend can fetch s3://bucket/key",
        () -> sources.probe(URI.create("s3://bucket/key"), Map.of(), STALL));
    assertEquals(SIZE, sources.probe(origin.url("/ok/file"), Map.of(), STALL).length());
  }
}
