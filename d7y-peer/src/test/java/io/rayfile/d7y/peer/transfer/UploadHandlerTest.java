package io.rayfile.d7y.peer.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.rayfile.d7y.peer.storage.ContentId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server pipeline ({@link PieceServer#configure}) on {@link EmbeddedChannel}s, time driven by hand. */
class UploadHandlerTest {
  static {
    LeakDetection.install();
  }

  private static final int PIECE = 64 * 1024;
  private static final int CHUNK = 16 * 1024;

  @TempDir
  Path dir;

  private FakeContentStore store;
  private byte[] data;
  private ContentId id;
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final CountingTransferMetrics metrics = new CountingTransferMetrics();
  /** Daemon-wide, like the limiter: shared by every connection a test opens. */
  private final UploadClaims claims = new UploadClaims(clock::get);

  @AfterAll
  static void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @BeforeEach
  void setUp() {
    store = new FakeContentStore(dir);
    data = new byte[3 * PIECE + 1000]; // 4 pieces, the last one short
    new Random(3).nextBytes(data);
    id = store.put(data, PIECE);
  }

  private ServerSettings settings() {
    return ServerSettings.defaults().withChunkSize(CHUNK).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  private UploadLimiter limiter(ServerSettings s) {
    return new UploadLimiter(s.uploadSlots(), s.uploadQueue(),
        new TokenBucket(s.uploadRate(), s.rateBurst(), clock::get));
  }

  private EmbeddedChannel server(ServerSettings s, UploadLimiter limiter) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    PieceServer.configure(ch, store, limiter, claims, s, metrics);
    ch.writeInbound(Wire.preamble());
    return ch;
  }

  private EmbeddedChannel server() {
    ServerSettings s = settings();
    return server(s, limiter(s));
  }

  private static List<Object> responses(EmbeddedChannel ch) {
    return Wire.decodeResponses(concatPreamble(Wire.outboundBytes(ch)));
  }

  /** The server's Hello goes out once, first; tests that read later output put a preamble in front. */
  private static byte[] concatPreamble(byte[] bytes) {
    if (bytes.length >= 4 && ByteBufInt(bytes) == Protocol.MAGIC) {
      return bytes;
    }
    ByteBuf p = Wire.preamble();
    byte[] out = new byte[p.readableBytes() + bytes.length];
    p.readBytes(out, 0, p.readableBytes());
    System.arraycopy(bytes, 0, out, out.length - bytes.length, bytes.length);
    p.release();
    return out;
  }

  private static int ByteBufInt(byte[] b) {
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private byte[] piece(int p) {
    int from = p * PIECE;
    return Arrays.copyOfRange(data, from, Math.min(data.length, from + PIECE));
  }

  @Test
  void servesPiecesInRequestOrderAsFileRegions() {
    EmbeddedChannel ch = server();
    ch.writeInbound(Wire.encode(new Frame.GetPieces(5, id, new int[] {3, 0})));
    // Nothing big on the heap: every outbound message is either a small control frame or a file region.
    List<Object> raw = new ArrayList<>();
    Object m;
    while ((m = ch.readOutbound()) != null) {
      raw.add(m);
    }
    long regions = raw.stream().filter(o -> o instanceof FileRegion).count();
    assertEquals(4 + 1, regions, "piece 0 in 16 KiB regions, the short last piece in one");
    for (Object o : raw) {
      if (o instanceof ByteBuf b) {
        assertTrue(b.readableBytes() <= 64, "control frame of " + b.readableBytes() + " bytes");
      }
      ch.writeOutbound(o); // put back for decoding
    }
    List<Object> frames = Wire.decodeResponses(Wire.outboundBytes(ch));
    assertEquals(new Frame.Hello(1), frames.get(0));
    Wire.Piece last = (Wire.Piece) frames.get(1);
    assertEquals(3, last.header().piece());
    assertEquals(5, last.header().requestId());
    assertArrayEquals(piece(3), last.data());
    Wire.Piece first = (Wire.Piece) frames.get(2);
    assertEquals(0, first.header().piece());
    assertArrayEquals(piece(0), first.data());
    assertEquals(PIECE + 1000, metrics.bytesServed());
    assertEquals(2, metrics.uploads());
    assertEquals(0, metrics.activeUploads());
    assertTrue(ch.isActive());
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void aSeedSendsEachPieceOfALargeContentToOneConnectionAtATime() {
    byte[] bytes = randomBytes(UploadClaims.MIN_PIECES * PIECE);
    ContentId big = store.put(bytes, PIECE);
    EmbeddedChannel a = server();
    EmbeddedChannel b = server();
    a.writeInbound(Wire.encode(new Frame.GetPieces(1, big, new int[] {2})));
    assertEquals(2, ((Wire.Piece) responses(a).get(1)).header().piece());

    b.writeInbound(Wire.encode(new Frame.GetPieces(2, big, new int[] {2, 3})));
    List<Object> fb = responses(b);
    Frame.Error elsewhere = (Frame.Error) fb.get(1);
    assertEquals(WireStatus.SENDING_ELSEWHERE, elsewhere.status(), "piece 2 just went to a");
    assertEquals(2, elsewhere.piece());
    assertEquals(3, ((Wire.Piece) fb.get(2)).header().piece(), "other pieces are served");
    a.writeInbound(Wire.encode(new Frame.GetPieces(3, id, new int[] {1})));
    assertInstanceOf(Wire.Piece.class, responses(a).get(1));
    b.writeInbound(Wire.encode(new Frame.GetPieces(4, id, new int[] {1})));
    assertInstanceOf(Wire.Piece.class, responses(b).get(1), "a 4-piece content is sent to everyone who asks");

    clock.addAndGet(UploadClaims.LINGER_NANOS); // a has had time to announce piece 2: b may have it from here
    b.writeInbound(Wire.encode(new Frame.GetPieces(5, big, new int[] {2})));
    assertArrayEquals(Arrays.copyOfRange(bytes, 2 * PIECE, 3 * PIECE),
        ((Wire.Piece) responses(b).get(1)).data());
    assertFalse(a.finishAndReleaseAll());
    assertFalse(b.finishAndReleaseAll());
  }

  @Test
  void aPieceCutOffByAClosedConnectionIsNotClaimedAnyMore() {
    ContentId big = store.put(randomBytes(UploadClaims.MIN_PIECES * PIECE), PIECE);
    ServerSettings s = settings().withUploadRate(PIECE, CHUNK); // one chunk, then it waits for tokens: in flight
    UploadLimiter limiter = limiter(s);
    EmbeddedChannel a = server(s, limiter);
    EmbeddedChannel b = server(s, limiter);
    a.writeInbound(Wire.encode(new Frame.GetPieces(1, big, new int[] {4, 5})));
    b.writeInbound(Wire.encode(new Frame.GetPieces(2, big, new int[] {5})));
    assertEquals(WireStatus.SENDING_ELSEWHERE, ((Frame.Error) responses(b).get(1)).status(),
        "piece 5 waits behind piece 4 on a's connection: claimed all the same");
    assertFalse(claims.claim(big, 4, "c"), "piece 4 is on its way to a");

    a.finishAndReleaseAll(); // closes it
    assertTrue(claims.claim(big, 4, "c"), "a's cut-off piece is free at once");
    assertTrue(claims.claim(big, 5, "c"), "so is the piece that was waiting");
    assertEquals(0, limiter.waiting());
    b.finishAndReleaseAll();
  }

  @Test
  void refusesUnknownContentsAndPiecesItDoesNotHave() {
    store.dropPiece(id, 2);
    EmbeddedChannel ch = server();
    ch.writeInbound(Wire.encode(new Frame.GetPieces(1, Wire.id(999), new int[] {0})));
    ch.writeInbound(Wire.encode(new Frame.GetPieces(2, id, new int[] {-1, 4, 2})));
    List<Object> frames = responses(ch);
    assertEquals(WireStatus.NOT_FOUND, ((Frame.Error) frames.get(1)).status());
    Frame.Error negative = (Frame.Error) frames.get(2);
    assertEquals(WireStatus.PIECE_OUT_OF_RANGE, negative.status());
    assertEquals(2, negative.requestId());
    assertEquals(-1, negative.piece());
    assertEquals(WireStatus.PIECE_OUT_OF_RANGE, ((Frame.Error) frames.get(3)).status());
    Frame.Error missing = (Frame.Error) frames.get(4);
    assertEquals(WireStatus.PIECE_MISSING, missing.status());
    assertEquals(2, missing.piece());
    assertTrue(missing.message().contains("bitmap"), missing.message());
    assertTrue(ch.isActive(), "refusals keep the connection");
    ch.finishAndReleaseAll();
  }

  @Test
  void bitmapShowsWhatAPartialParentHas() {
    store.dropPiece(id, 1);
    EmbeddedChannel ch = server();
    ch.writeInbound(Wire.encode(new Frame.GetBitmap(9, id)));
    ch.writeInbound(Wire.encode(new Frame.GetBitmap(10, Wire.id(5))));
    List<Object> frames = responses(ch);
    Frame.Bitmap b = (Frame.Bitmap) frames.get(1);
    assertEquals(9, b.requestId());
    assertEquals(4, b.pieceCount());
    assertEquals(data.length, b.length());
    assertEquals(PIECE, b.pieceLength());
    assertFalse(b.complete());
    assertEquals("{0, 2, 3}", b.finished().toString());
    assertEquals(WireStatus.NOT_FOUND, ((Frame.Error) frames.get(2)).status());
    ch.finishAndReleaseAll();
  }

  @Test
  void enforcesPiecesPerRequestAndInFlightLimits() {
    ServerSettings s = settings().withRequestLimits(2, 2).withUploadRate(CHUNK, CHUNK);
    EmbeddedChannel ch = server(s, limiter(s));
    ch.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {0, 1, 2})));
    ch.writeInbound(Wire.encode(new Frame.GetPieces(2, id, new int[] {0, 1})));  // 2 in flight (rate-limited)
    ch.writeInbound(Wire.encode(new Frame.GetPieces(3, id, new int[] {2, 3})));  // would make 3 > 2
    // Piece 0 of request 2 is being paced; let it all go out.
    for (int i = 0; i < 20; i++) {
      clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
      ch.advanceTimeBy(1, TimeUnit.SECONDS);
      ch.runScheduledPendingTasks();
    }
    List<Object> frames = responses(ch);
    Frame.Error tooMany = (Frame.Error) frames.get(1);
    assertEquals(WireStatus.BAD_REQUEST, tooMany.status());
    assertEquals(1, tooMany.requestId());
    assertEquals(2, ((Wire.Piece) frames.get(2)).header().requestId());
    assertEquals(2, ((Wire.Piece) frames.get(3)).header().requestId());
    Frame.Error inFlight = (Frame.Error) frames.get(4);
    assertEquals(WireStatus.TOO_MANY_REQUESTS, inFlight.status());
    assertEquals(3, inFlight.requestId());
    assertFalse(ch.isActive(), "closed by the idle time-out once everything was answered");
    ch.finishAndReleaseAll();
  }

  @Test
  void paceChunksByTheTokenBucket() {
    // 16 KiB/s with a 16 KiB burst: a 64 KiB piece takes 3 s after its first chunk.
    ServerSettings s = settings().withUploadRate(CHUNK, CHUNK);
    EmbeddedChannel ch = server(s, limiter(s));
    ch.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {0})));
    assertEquals(CHUNK, metrics.bytesServed(), "the burst goes out at once");
    for (int second = 1; second <= 3; second++) {
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
      ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      assertEquals((long) second * CHUNK, metrics.bytesServed(), "not before the second is over");
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
      ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      assertEquals((long) (second + 1) * CHUNK, metrics.bytesServed());
    }
    assertEquals(1, metrics.uploads());
    Wire.Piece p = (Wire.Piece) responses(ch).get(1);
    assertArrayEquals(piece(0), p.data());
    ch.finishAndReleaseAll();
  }

  @Test
  void uploadSlotsQueueThenRefuseWithBusy() {
    ServerSettings s = settings().withUploadSlots(1, 1).withUploadRate(CHUNK, CHUNK);
    UploadLimiter limiter = limiter(s);
    EmbeddedChannel a = server(s, limiter);
    EmbeddedChannel b = server(s, limiter);
    EmbeddedChannel c = server(s, limiter);
    a.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {0}))); // takes the slot, paced
    b.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {1}))); // waits
    c.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {2}))); // refused
    assertEquals(1, metrics.peakActiveUploads());
    assertEquals(1, metrics.busyRejections());
    Frame.Error busy = (Frame.Error) responses(c).get(1);
    assertEquals(WireStatus.BUSY, busy.status());
    assertEquals(2, busy.piece());
    assertEquals(1, limiter.waiting());

    for (int i = 0; i < 3; i++) {
      clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
      a.advanceTimeBy(1, TimeUnit.SECONDS);
      a.runScheduledPendingTasks();
    }
    assertArrayEquals(piece(0), ((Wire.Piece) responses(a).get(1)).data());
    b.runPendingTasks(); // the slot passed to b on its own event loop
    for (int i = 0; i < 4; i++) {
      clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
      b.advanceTimeBy(1, TimeUnit.SECONDS);
      b.runScheduledPendingTasks();
    }
    assertArrayEquals(piece(1), ((Wire.Piece) responses(b).get(1)).data());
    assertEquals(1, metrics.peakActiveUploads(), "never two uploads at once with one slot");
    assertEquals(1, limiter.freeSlots());
    for (EmbeddedChannel ch : List.of(a, b, c)) {
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void closingWhileQueuedOrSendingGivesTheSlotBack() {
    ServerSettings s = settings().withUploadSlots(1, 4).withUploadRate(CHUNK, CHUNK);
    UploadLimiter limiter = limiter(s);
    EmbeddedChannel a = server(s, limiter);
    EmbeddedChannel b = server(s, limiter);
    a.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {0})));
    b.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {1})));
    assertEquals(1, limiter.waiting());
    b.close();
    assertEquals(0, limiter.waiting(), "a closed connection leaves the queue");
    a.finishAndReleaseAll(); // closes it
    assertEquals(1, limiter.freeSlots(), "an upload cut short releases its slot");
    assertEquals(1, metrics.failedUploads());
    a.finishAndReleaseAll();
    b.finishAndReleaseAll();
  }

  @Test
  void badPreambleGetsHelloErrorAndClose() {
    ServerSettings s = settings();
    EmbeddedChannel ch = new EmbeddedChannel();
    PieceServer.configure(ch, store, limiter(s), claims, s, metrics);
    ch.writeInbound(Unpooled.wrappedBuffer("GET / HTTP/1.1\r\n".getBytes()));
    List<Object> frames = responses(ch);
    assertEquals(new Frame.Hello(1), frames.get(0));
    Frame.Error e = (Frame.Error) frames.get(1);
    assertEquals(WireStatus.BAD_VERSION, e.status());
    assertEquals(0, e.requestId());
    assertFalse(ch.isActive());
    ch.finishAndReleaseAll();
  }

  @Test
  void hostileLengthGetsErrorAndCloseEvenMidUpload() {
    EmbeddedChannel ch = server();
    ch.writeInbound(Unpooled.buffer().writeInt(-5).writeZero(100));
    List<Object> frames = responses(ch);
    assertEquals(WireStatus.BAD_REQUEST, ((Frame.Error) frames.get(1)).status());
    assertFalse(ch.isActive());
    ch.finishAndReleaseAll();

    ServerSettings s = settings().withUploadRate(CHUNK, CHUNK);
    EmbeddedChannel paced = server(s, limiter(s));
    paced.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {0})));
    paced.writeInbound(Unpooled.buffer().writeInt(Integer.MAX_VALUE));
    assertFalse(paced.isActive(), "an error frame cannot interrupt piece bytes: just close");
    paced.finishAndReleaseAll();
  }

  @Test
  void halfAFrameThenSilenceIsClosedByTheIdleTimeout() {
    EmbeddedChannel ch = server();
    ByteBuf frame = Wire.encode(new Frame.GetPieces(1, id, new int[] {0}));
    ch.writeInbound(frame.readRetainedSlice(10));
    frame.release();
    ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertTrue(ch.isActive());
    ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertFalse(ch.isActive(), "stalled half-way through a frame");
    ch.finishAndReleaseAll();
  }

  @Test
  void aSlowUploadIsNotMistakenForIdleness() {
    ServerSettings s = settings().withUploadRate(CHUNK / 4, CHUNK); // 4 s per chunk, idle time-out 1 s
    EmbeddedChannel ch = server(s, limiter(s));
    ch.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {0})));
    for (int i = 0; i < 5; i++) {
      clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
      ch.advanceTimeBy(1, TimeUnit.SECONDS);
      ch.runScheduledPendingTasks();
    }
    assertTrue(ch.isActive(), "the client is waiting for bytes, not idle");
    assertEquals(2L * CHUNK, metrics.bytesServed());
    ch.finishAndReleaseAll();
  }

  @Test
  void corruptedOnDiskIsServedWithTheRecordedCrc() throws Exception {
    // The server does not re-check: the child does (and strikes this parent).
    byte[] bad = data.clone();
    bad[5] ^= 1;
    java.nio.file.Files.write(store.file(id), bad);
    EmbeddedChannel ch = server();
    ch.writeInbound(Wire.encode(new Frame.GetPieces(1, id, new int[] {0})));
    Wire.Piece p = (Wire.Piece) responses(ch).get(1);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(p.data());
    assertInstanceOf(Frame.PieceHeader.class, p.header());
    assertTrue((int) crc.getValue() != p.header().crc32c());
    ch.finishAndReleaseAll();
  }
}
