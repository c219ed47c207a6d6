package io.rayfile.d7y.peer.source;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.FileContentStore;
import io.rayfile.d7y.peer.storage.PieceData;
import io.rayfile.d7y.peer.storage.PieceLayout;
import io.rayfile.d7y.peer.storage.StoreSettings;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Origin pieces written through a real FileContentStore. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OriginFetcherTest {
  private static final int PIECE = 64 << 10;
  private static final int SIZE = 16 * PIECE + 12_345; // 17 pieces, the last one short
  private static final Duration STALL = Duration.ofMillis(700);

  @TempDir
  Path dir;

  private TestOrigin origin;
  private HttpSourceBackend http;
  private OriginFetcher fetcher;
  private FileContentStore store;
  private final List<OriginPieceResult> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    origin = new TestOrigin(SIZE, 42);
    http = new HttpSourceBackend(HttpSourceSettings.defaults().withMaxSkipBytes(PIECE));
    fetcher = new OriginFetcher(SourceRegistry.of(http), new OriginFetchSettings(4, STALL));
    store = FileContentStore.open(StoreSettings.defaults(dir.resolve("store")).withQuotaBytes(1L << 30));
  }

  @AfterEach
  void tearDown() {
    fetcher.close();
    http.close();
    origin.close();
    store.close();
  }

  private static ContentId sha256(byte[] b) throws Exception {
    return new ContentId(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
  }

  private static BitSet all(int n) {
    BitSet b = new BitSet();
    b.set(0, n);
    return b;
  }

  /** Probes {@code path}, begins {@code id} in the store and fetches {@code pieces} into it. */
  private OriginReport fetch(String path, ContentId id, BitSet pieces) throws Exception {
    URI url = origin.url(path);
    SourceInfo info = http.probe(url, Map.of(), STALL);
    PieceLayout layout = new PieceLayout(info.length(), PIECE);
    store.begin(id, ContentKind.FILE, layout);
    OriginRequest request = new OriginRequest(url, Map.of(), info, 0, layout);
    return fetcher.fetch(request, pieces, p -> store.writePiece(id, p), seen::add).get(8, TimeUnit.SECONDS);
  }

  private byte[] materialized(ContentId id) throws IOException {
    Path out = store.materialize(id, dir.resolve("out-" + id.hex()), false);
    return Files.readAllBytes(out);
  }

  private byte[] storedPiece(ContentId id, int p) throws IOException {
    PieceData d = store.readPiece(id, p);
    byte[] b = new byte[d.length()];
    try (RandomAccessFile f = new RandomAccessFile(d.file().toFile(), "r")) {
      f.seek(d.offset());
      f.readFully(b);
    }
    return b;
  }

  private void assertNothingFinishedOf(ContentId id, BitSet failed) {
    BitSet overlap = store.finishedPieces(id);
    overlap.and(failed);
    assertTrue(overlap.isEmpty(), () -> "failed pieces marked finished: " + overlap);
  }

  @Test
  void wholeContentArrivesByteIdenticalWithBoundedParallelism() throws Exception {
    ContentId id = sha256(origin.data); // as when the caller supplied the expected digest: the store checks it
    OriginReport report = fetch("/ok/file", id, all(17));
    assertTrue(report.allOk(), () -> report.firstError().toString());
    assertFalse(report.streamedWhole());
    assertEquals(SIZE, report.bytesFromOrigin());
    assertEquals(SIZE, fetcher.bytesFromOrigin());
    assertEquals(17, seen.size());
    assertTrue(store.stat(id).orElseThrow().complete());
    assertArrayEquals(origin.data, materialized(id));
    assertEquals(17, origin.count("GET"));
    assertTrue(origin.maxInFlight.get() <= 4, () -> "max in flight " + origin.maxInFlight.get());
    assertTrue(origin.requests.stream().filter(r -> r.startsWith("GET")).allMatch(r -> r.contains("bytes=")));
  }

  @Test
  void urlTaskCompletesAsAnExternalContentUnderItsTaskId() throws Exception {
    URI url = origin.url("/ok/file?token=abc");
    SourceInfo info = http.probe(url, Map.of(), STALL);
    UrlTask task = UrlTask.of(url, Optional.empty(), PIECE);
    OriginRequest request = OriginRequest.of(task, Map.of(), info);
    ContentId id = task.storeId();
    store.begin(id, ContentKind.EXTERNAL, request.layout());
    OriginReport report = fetcher.fetch(request, all(17), p -> store.writePiece(id, p), r -> { })
        .get(8, TimeUnit.SECONDS);
    assertTrue(report.allOk(), () -> report.firstError().toString());
    assertTrue(store.stat(id).orElseThrow().complete());
    assertArrayEquals(origin.data, materialized(id));
  }

  @Test
  void onlyTheAskedPiecesAreFetched() throws Exception {
    ContentId id = sha256(origin.data);
    BitSet want = new BitSet();
    want.set(1);
    want.set(3);
    want.set(16);
    OriginReport report = fetch("/ok/file", id, want);
    assertTrue(report.allOk());
    assertEquals(want, report.committed());
    assertEquals(want, store.finishedPieces(id));
    assertEquals(2L * PIECE + 12_345, report.bytesFromOrigin());
    for (int p = want.nextSetBit(0); p >= 0; p = want.nextSetBit(p + 1)) {
      int off = p * PIECE;
      assertArrayEquals(Arrays.copyOfRange(origin.data, off, Math.min(SIZE, off + PIECE)), storedPiece(id, p));
    }
  }

  @Test
  void originWithoutRangesIsReadInOnePass() throws Exception {
    ContentId id = sha256(origin.data);
    OriginReport report = fetch("/ignore-range/file", id, all(17));
    assertTrue(report.allOk(), () -> report.firstError().toString());
    assertTrue(report.streamedWhole());
    // the probe's one-byte GET, then one GET for everything
    assertEquals(List.of("HEAD /ignore-range/file null", "GET /ignore-range/file bytes=0-0",
        "GET /ignore-range/file bytes=0-" + (SIZE - 1)), origin.requests);
    assertArrayEquals(origin.data, materialized(id));
  }

  @Test
  void originClaimingRangesButIgnoringThemFallsBackToOnePass() throws Exception {
    ContentId id = sha256(origin.data);
    OriginReport report = fetch("/lie-ranges/file", id, all(17));
    assertTrue(report.allOk(), () -> report.firstError().toString());
    assertTrue(report.streamedWhole());
    assertArrayEquals(origin.data, materialized(id));
  }

  @Test
  void failingOriginLeavesItsPiecesMissing() throws Exception {
    ContentId id = sha256(origin.data);
    OriginReport report = fetch("/fail-from/" + (8 * PIECE), id, all(17));
    BitSet committed = new BitSet();
    committed.set(0, 8);
    BitSet failed = new BitSet();
    failed.set(8, 17);
    assertEquals(committed, report.committed());
    assertEquals(failed, report.failed());
    assertEquals(committed, store.finishedPieces(id));
    assertFalse(store.stat(id).orElseThrow().complete());
    PeerException first = report.firstError().orElseThrow();
    assertEquals(ErrorCode.UNAVAILABLE, first.code());
    assertTrue(first.getMessage().contains("origin answered 503"), first::getMessage);
    report.pieces().stream().filter(r -> !r.ok())
        .forEach(r -> assertEquals(ErrorCode.UNAVAILABLE, r.error().orElseThrow().code()));
    assertEquals(17, seen.size());
  }

  @Test
  void stalledPiecesFailWithinTheStallTimeoutAndStayMissing() throws Exception {
    ContentId id = sha256(origin.data);
    long t0 = System.nanoTime();
    OriginReport report = fetch("/stall-from/" + (5 * PIECE), id, all(17));
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
    assertTrue(report.failed().get(5));
    assertEquals(report.committed(), store.finishedPieces(id));
    assertNothingFinishedOf(id, report.failed());
    OriginPieceResult five = report.pieces().get(5);
    assertEquals(5, five.piece());
    assertTrue(five.error().orElseThrow().getMessage().contains("origin stalled"), five::toString);
    assertEquals(PIECE / 2, five.length());
  }

  @Test
  void wrongContentRangeFailsEveryPieceAndFinishesNothing() throws Exception {
    ContentId id = sha256(origin.data);
    OriginReport report = fetch("/wrong-range/file", id, all(17));
    assertEquals(all(17), report.failed());
    assertTrue(store.finishedPieces(id).isEmpty());
    assertEquals(ErrorCode.CORRUPT_CONTENT, report.firstError().orElseThrow().code());
  }

  @Test
  void contentChangedAfterTheProbeFailsInsteadOfMixingVersions() throws Exception {
    ContentId id = sha256(origin.data);
    OriginReport report = fetch("/changed/file", id, all(17));
    assertTrue(store.finishedPieces(id).isEmpty());
    PeerException e = report.firstError().orElseThrow();
    assertEquals(ErrorCode.CORRUPT_CONTENT, e.code());
    assertTrue(e.getMessage().contains("changed since it was probed"), e::getMessage);
  }

  @Test
  void rangeTaskFetchesItsSliceOfTheOrigin() throws Exception {
    URI url = origin.url("/ok/file");
    ByteRange range = new ByteRange(100_000, 300_000);
    UrlTask task = UrlTask.of(url, Optional.of(range), PIECE);
    SourceInfo info = http.probe(url, Map.of(), STALL);
    OriginRequest request = OriginRequest.of(task, Map.of(), info);
    assertEquals(new PieceLayout(300_000, PIECE), request.layout());
    byte[] slice = Arrays.copyOfRange(origin.data, 100_000, 400_000);
    ContentId id = sha256(slice);
    store.begin(id, ContentKind.FILE, request.layout());
    OriginReport report = fetcher.fetch(request, all(request.layout().pieceCount()), p -> store.writePiece(id, p),
        r -> { }).get(8, TimeUnit.SECONDS);
    assertTrue(report.allOk(), () -> report.firstError().toString());
    assertArrayEquals(slice, materialized(id));
    assertTrue(origin.requests.contains("GET /ok/file bytes=100000-165535"), origin.requests::toString);
  }

  @Test
  void cancelledFetchAbortsItsPiecesAndReleasesTheirWriters() throws Exception {
    URI url = origin.url("/stall-from/0");
    SourceInfo info = http.probe(url, Map.of(), STALL);
    PieceLayout layout = new PieceLayout(info.length(), PIECE);
    ContentId id = sha256(origin.data);
    store.begin(id, ContentKind.FILE, layout);
    var future = fetcher.fetch(new OriginRequest(url, Map.of(), info, 0, layout), all(17),
        p -> store.writePiece(id, p), seen::add);
    await().atMost(Duration.ofSeconds(3)).until(() -> origin.count("GET") >= 4);
    future.cancel(true);
    // the stalled pieces end at the stall timeout, abort, and nothing new starts
    await().atMost(Duration.ofSeconds(3)).until(() -> seen.size() == 4);
    assertTrue(seen.stream().noneMatch(OriginPieceResult::ok));
    assertTrue(store.finishedPieces(id).isEmpty());
    store.writePiece(id, 0).close(); // not held by a leftover writer
    assertEquals(5, origin.count("GET") + origin.count("HEAD"));
  }

  @Test
  void requestsBeyondTheOriginOrTheLayoutAreRefused() throws Exception {
    URI url = origin.url("/ok/file");
    SourceInfo info = http.probe(url, Map.of(), STALL);
    PeerException e = assertThrows(PeerException.class,
        () -> new OriginRequest(url, Map.of(), info, 1, new PieceLayout(SIZE, PIECE)));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    OriginRequest ok = new OriginRequest(url, Map.of(), info, 0, new PieceLayout(SIZE, PIECE));
    BitSet tooFar = new BitSet();
    tooFar.set(17);
    ContentId id = sha256(origin.data);
    e = assertThrows(PeerException.class,
        () -> fetcher.fetch(ok, tooFar, p -> store.writePiece(id, p), r -> { }));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
  }
}
