package io.rayfile.d7y.peer.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Server and client over real loopback sockets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PieceTransferTest {
  static {
    LeakDetection.install();
  }

  private static final int PIECE = 64 * 1024;
  private static final HostPort ANY = new HostPort("127.0.0.1", 0);

  @TempDir
  Path dir;

  private FakeContentStore serverStore;
  private FakeContentStore clientStore;
  private byte[] data;
  private ContentId id;
  private final CountingTransferMetrics serverMetrics = new CountingTransferMetrics();
  private final CountingTransferMetrics clientMetrics = new CountingTransferMetrics();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterAll
  static void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(dir.resolve("server"));
    Files.createDirectories(dir.resolve("client"));
    serverStore = new FakeContentStore(dir.resolve("server"));
    clientStore = new FakeContentStore(dir.resolve("client"));
    data = new byte[10 * PIECE + 777]; // 11 pieces
    new Random(11).nextBytes(data);
    id = serverStore.put(data, PIECE);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private PieceServer server(ServerSettings settings) {
    PieceServer s = PieceServer.start(ANY, serverStore, settings.withIoThreads(2), serverMetrics);
    closeables.add(s);
    return s;
  }

  private PieceClient client(ClientSettings settings) {
    PieceClient c = PieceClient.create(settings.withIoThreads(1), clientMetrics);
    closeables.add(c);
    return c;
  }

  private static HostPort at(PieceServer s) {
    return new HostPort("127.0.0.1", s.port());
  }

  @Test
  void pipelinedPiecesOnOneConnectionArriveByteIdentical() throws Exception {
    PieceServer server = server(ServerSettings.defaults().withChunkSize(16 * 1024));
    PieceClient client = client(ClientSettings.defaults().withConnections(1, 16));
    PieceBitmap bitmap = client.bitmap(at(server), id).get(5, TimeUnit.SECONDS);
    assertTrue(bitmap.complete());
    assertEquals(11, bitmap.finishedCount());
    clientStore.begin(id, bitmap.kind(), bitmap.layout());

    List<CompletableFuture<PieceResult>> futures = new ArrayList<>();
    for (int p = bitmap.layout().pieceCount() - 1; p >= 0; p--) {
      futures.add(client.fetch(at(server), id, p, PieceSink.of(clientStore.writePiece(id, p))));
    }
    for (CompletableFuture<PieceResult> f : futures) {
      PieceResult r = f.get(10, TimeUnit.SECONDS);
      assertEquals(bitmap.layout().size(r.piece()), r.length());
    }
    assertArrayEquals(data, Files.readAllBytes(clientStore.file(id)));
    assertEquals(11, clientStore.finishedPieces(id).cardinality());
    assertEquals(data.length, clientMetrics.bytesReceived());
    assertEquals(11, clientMetrics.piecesReceived());
    // The server counts a piece when its last write completes, which may be after the client has it.
    await().atMost(Duration.ofSeconds(5)).until(() -> serverMetrics.uploads() == 11);
    assertEquals(data.length, serverMetrics.bytesServed());
  }

  @Test
  void corruptPieceOnTheParentsDiskFailsWithCorruptContent() throws Exception {
    byte[] bad = data.clone();
    bad[PIECE + 100] ^= 0x40; // piece 1
    Files.write(serverStore.file(id), bad);
    PieceServer server = server(ServerSettings.defaults());
    PieceClient client = client(ClientSettings.defaults().withConnections(1, 8));
    clientStore.begin(id, ContentKind.FILE, new PieceLayout(data.length, PIECE));
    AtomicBoolean aborted = new AtomicBoolean();
    PieceSink sink = PieceSink.of(clientStore.writePiece(id, 1));
    PieceSink watching = new PieceSink() {
      @Override
      public void write(ByteBuffer bytes) {
        sink.write(bytes);
      }

      @Override
      public void commit(int crc32c) {
        sink.commit(crc32c);
      }

      @Override
      public void abort() {
        aborted.set(true);
        sink.abort();
      }
    };
    CompletableFuture<PieceResult> f1 = client.fetch(at(server), id, 1, watching);
    CompletableFuture<PieceResult> f2 = client.fetch(at(server), id, 2,
        PieceSink.of(clientStore.writePiece(id, 2)));
    CompletionException e = assertThrows(CompletionException.class, f1::join);
    PeerException pe = assertInstanceOf(PeerException.class, e.getCause());
    assertEquals(ErrorCode.CORRUPT_CONTENT, pe.code());
    assertTrue(pe.getMessage().contains("strike this parent"), pe.getMessage());
    assertTrue(aborted.get());
    assertFalse(clientStore.finishedPieces(id).get(1));
    assertEquals(2, f2.get(5, TimeUnit.SECONDS).piece(), "the connection goes on after a corrupt piece");
    assertEquals(1, clientMetrics.corruptPieces());
  }

  @Test
  void uploadSlotsBoundConcurrentUploads() throws Exception {
    // 2 slots for 6 children each wanting 3 pieces; a modest rate makes the uploads overlap in time.
    PieceServer server = server(ServerSettings.defaults().withUploadSlots(2, 100)
        .withUploadRate(4L << 20, 64 * 1024).withChunkSize(16 * 1024));
    List<CompletableFuture<PieceResult>> futures = new ArrayList<>();
    for (int c = 0; c < 6; c++) {
      PieceClient client = client(ClientSettings.defaults().withConnections(1, 4));
      for (int p = 0; p < 3; p++) {
        futures.add(client.fetch(at(server), id, p, new DiscardingSink()));
      }
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> serverMetrics.uploads() == 18);
    assertTrue(serverMetrics.peakActiveUploads() <= 2, "peak " + serverMetrics.peakActiveUploads());
    assertEquals(2, server.freeUploadSlots());
  }

  @Test
  void aSmallContentsPieceDoesNotQueueBehindALargeOnesPieces() throws Exception {
    // 4 large pieces fill the only connection's window; at 512 KiB/s they take about half a second.
    PieceServer server = server(ServerSettings.defaults().withUploadRate(512 * 1024, 16 * 1024)
        .withChunkSize(16 * 1024));
    PieceClient client = client(ClientSettings.defaults().withConnections(1, 4));
    byte[] small = new byte[1024];
    new Random(5).nextBytes(small);
    ContentId clip = serverStore.put(small, PIECE);
    List<CompletableFuture<PieceResult>> heavy = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      heavy.add(client.fetch(at(server), id, p, new DiscardingSink()));
    }
    DiscardingSink light = new LightSink();
    assertEquals(small.length, client.fetch(at(server), clip, 0, light).get(5, TimeUnit.SECONDS).length());
    assertTrue(light.committed);
    assertFalse(heavy.stream().allMatch(CompletableFuture::isDone),
        "the small piece went on its own connection instead of waiting for the large pieces ahead of it");
    for (CompletableFuture<PieceResult> f : heavy) {
      assertEquals(PIECE, f.get(10, TimeUnit.SECONDS).length());
    }
  }

  @Test
  void smallContentsThatHashToOneLoopSpillOntoAnIdleOne() throws Exception {
    // Slow uploads keep requests outstanding; one connection per loop serves one piece at a time.
    PieceServer server = server(ServerSettings.defaults().withUploadRate(256 * 1024, 16 * 1024)
        .withChunkSize(16 * 1024));
    PieceClient client = PieceClient.create(ClientSettings.defaults().withConnections(1, 4).withIoThreads(2),
        clientMetrics);
    closeables.add(client);
    List<ContentId> sameLoop = new ArrayList<>();
    for (int seed = 0; sameLoop.size() < 8; seed++) {
      byte[] small = new byte[16 * 1024];
      new Random(seed).nextBytes(small);
      ContentId clip = serverStore.put(small, PIECE);
      if (Math.floorMod(clip.hashCode(), 2) == 0) { // PieceClient's home loop for this id
        sameLoop.add(clip);
      }
    }
    List<CompletableFuture<PieceResult>> futures = new ArrayList<>();
    for (ContentId clip : sameLoop) {
      futures.add(client.fetch(at(server), clip, 0, new LightSink()));
    }
    for (CompletableFuture<PieceResult> f : futures) {
      assertEquals(16 * 1024, f.get(10, TimeUnit.SECONDS).length());
    }
    // Hashed by id alone, all eight would wait on one loop's connection: one upload at a time on the server.
    assertEquals(2, serverMetrics.peakActiveUploads(), "the requests beyond one window went to the other loop");
  }

  @Test
  void fullSlotsAndQueueAnswerBusy() throws Exception {
    PieceServer server = server(ServerSettings.defaults().withUploadSlots(1, 0)
        .withUploadRate(64 * 1024, 16 * 1024).withChunkSize(16 * 1024)); // a piece takes ~0.75 s
    PieceClient a = client(ClientSettings.defaults());
    PieceClient b = client(ClientSettings.defaults());
    CompletableFuture<PieceResult> slow = a.fetch(at(server), id, 0, new DiscardingSink());
    while (serverMetrics.activeUploads() == 0) {
      Thread.sleep(5);
    }
    CompletionException e = assertThrows(CompletionException.class,
        () -> b.fetch(at(server), id, 1, new DiscardingSink()).join());
    TransferException te = assertInstanceOf(TransferException.class, e.getCause());
    assertEquals(WireStatus.BUSY, te.status());
    assertEquals(ErrorCode.UNAVAILABLE, te.code());
    assertEquals(PIECE, slow.get(5, TimeUnit.SECONDS).length());
  }

  @Test
  void refusalsArriveAsTransferExceptions() throws Exception {
    serverStore.dropPiece(id, 4);
    PieceServer server = server(ServerSettings.defaults());
    PieceClient client = client(ClientSettings.defaults());
    assertEquals(WireStatus.NOT_FOUND, refusal(client.fetch(at(server), Wire.id(1), 0, new DiscardingSink())));
    assertEquals(WireStatus.PIECE_OUT_OF_RANGE, refusal(client.fetch(at(server), id, 11, new DiscardingSink())));
    assertEquals(WireStatus.PIECE_MISSING, refusal(client.fetch(at(server), id, 4, new DiscardingSink())));
    assertEquals(WireStatus.NOT_FOUND, refusal(client.bitmap(at(server), Wire.id(1))));
    assertFalse(client.bitmap(at(server), id).get().has(4));
  }

  private static WireStatus refusal(CompletableFuture<?> f) {
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(TransferException.class, e.getCause()).status();
  }

  @Test
  void unreachableOrDyingParentFailsWithUnavailable() throws Exception {
    PieceClient client = client(ClientSettings.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
    int freePort;
    try (var s = new java.net.ServerSocket(0)) {
      freePort = s.getLocalPort();
    }
    CompletionException e = assertThrows(CompletionException.class,
        () -> client.fetch(new HostPort("127.0.0.1", freePort), id, 0, new DiscardingSink()).join());
    assertEquals(ErrorCode.UNAVAILABLE, assertInstanceOf(PeerException.class, e.getCause()).code());
    // A small content's request waits in its own queue: it fails as promptly (it once waited for ever).
    CompletableFuture<PieceResult> light = client.fetch(new HostPort("127.0.0.1", freePort), id, 0,
        new LightSink());
    java.util.concurrent.ExecutionException lightError = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> light.get(10, TimeUnit.SECONDS));
    assertEquals(ErrorCode.UNAVAILABLE, assertInstanceOf(PeerException.class, lightError.getCause()).code());

    PieceServer server = PieceServer.start(ANY, serverStore, ServerSettings.defaults()
        .withUploadRate(32 * 1024, 16 * 1024).withChunkSize(16 * 1024), serverMetrics);
    DiscardingSink sink = new DiscardingSink();
    CompletableFuture<PieceResult> f = client.fetch(at(server), id, 0, sink);
    while (sink.bytes == 0) {
      Thread.sleep(5);
    }
    server.close(); // mid-piece
    e = assertThrows(CompletionException.class, f::join);
    assertEquals(ErrorCode.UNAVAILABLE, assertInstanceOf(PeerException.class, e.getCause()).code());
    assertTrue(sink.aborted);
  }

  // ---- hostile clients over a raw socket ----

  @Test
  void garbageGetsAnErrorFrameThenClose() throws Exception {
    PieceServer server = server(ServerSettings.defaults());
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      List<Object> frames = Wire.decodeResponses(s.getInputStream().readAllBytes());
      assertEquals(new Frame.Hello(1), frames.get(0));
      assertEquals(WireStatus.BAD_VERSION, ((Frame.Error) frames.get(1)).status());
    }
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(bytes(Wire.preamble()));
      out.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe, 1, 2, 3});
      List<Object> frames = Wire.decodeResponses(s.getInputStream().readAllBytes());
      assertEquals(WireStatus.BAD_REQUEST, ((Frame.Error) frames.get(1)).status());
    }
    // And the server still serves.
    PieceClient client = client(ClientSettings.defaults());
    assertEquals(PIECE, client.fetch(at(server), id, 0, new DiscardingSink()).get(5, TimeUnit.SECONDS).length());
  }

  @Test
  void halfAFrameThenSilenceIsCutOff() throws Exception {
    PieceServer server = server(ServerSettings.defaults()
        .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5)));
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      byte[] frame = bytes(Wire.encode(new Frame.GetPieces(1, id, new int[] {0})));
      s.getOutputStream().write(bytes(Wire.preamble()));
      s.getOutputStream().write(Arrays.copyOf(frame, 10));
      long start = System.nanoTime();
      byte[] got = s.getInputStream().readAllBytes(); // returns at EOF: the server closed
      assertEquals(8, got.length, "only the server's hello");
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4));
    }
  }

  @Test
  void aClientThatNeverReadsIsDisconnectedAndCostsNoMemory() throws Exception {
    byte[] big = new byte[64 << 20]; // one 64 MiB piece: far more than socket buffers hold
    new Random(5).nextBytes(big);
    ContentId bigId = serverStore.put(big, 64 << 20);
    PieceServer server = server(ServerSettings.defaults()
        .withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(500)));
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(64 * 1024);
      s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
      s.getOutputStream().write(bytes(Wire.preamble()));
      s.getOutputStream().write(bytes(Wire.encode(new Frame.GetPieces(1, bigId, new int[] {0}))));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (serverMetrics.uploads() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, serverMetrics.failedUploads(), "the upload was cut by the write time-out");
      assertTrue(serverMetrics.bytesServed() < 32 << 20, "served " + serverMetrics.bytesServed());
      // Draining now ends in EOF (or a reset), not in the rest of the piece.
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      long read = 0;
      try {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          read += n;
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server did not close the connection", e);
      } catch (IOException reset) {
        // a reset is a close too
      }
      assertTrue(read < big.length, "read " + read);
    }
    assertEquals(server.freeUploadSlots(), ServerSettings.defaults().uploadSlots());
  }

  private static byte[] bytes(io.netty.buffer.ByteBuf b) {
    byte[] a = new byte[b.readableBytes()];
    b.readBytes(a);
    b.release();
    return a;
  }

  /** A {@link DiscardingSink} for a small content's piece (the client's light lane). */
  static final class LightSink extends DiscardingSink {
    @Override
    public boolean light() {
      return true;
    }
  }

  /** Counts bytes and forgets them. */
  static class DiscardingSink implements PieceSink {
    volatile long bytes;
    volatile boolean committed;
    volatile boolean aborted;
    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();

    @Override
    public void write(ByteBuffer b) {
      bytes += b.remaining();
      crc.update(b);
    }

    @Override
    public void commit(int crc32c) {
      if ((int) crc.getValue() != crc32c) {
        throw new PeerException(ErrorCode.CORRUPT_CONTENT, "crc");
      }
      committed = true;
    }

    @Override
    public void abort() {
      aborted = true;
    }
  }
}
