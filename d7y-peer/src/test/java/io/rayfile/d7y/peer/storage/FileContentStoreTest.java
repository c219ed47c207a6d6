package io.rayfile.d7y.peer.storage;

import static io.rayfile.d7y.peer.storage.StoreTestSupport.crc;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.putThroughPieces;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.randomBytes;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.sha256;
import static io.rayfile.d7y.peer.storage.StoreTestSupport.write;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileContentStoreTest {
  private static final int MIB = 1 << 20;

  @TempDir Path tmp;
  private Path data;
  private MutableClock clock;
  private FileContentStore store;

  @BeforeEach
  void open() {
    data = tmp.resolve("data");
    clock = StoreTestSupport.clock();
    store = FileContentStore.open(StoreTestSupport.settings(data, clock));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void reopen() {
    store.close();
    store = FileContentStore.open(StoreTestSupport.settings(data, clock));
  }

  @Test
  void importCopyRoundTrip() throws Exception {
    byte[] bytes = randomBytes(9 * MIB + 123, 1);
    Path src = write(tmp.resolve("in/video.bin"), bytes);

    ImportResult r = store.importFile(src, false, false);

    ContentId id = sha256(bytes);
    assertEquals(id, r.content().id());
    assertEquals(bytes.length, r.storedBytes());
    assertEquals(ContentState.COMPLETE, r.content().state());
    assertEquals(3, r.content().layout().pieceCount());
    assertEquals(3, r.content().finishedPieces());
    Path stored = store.dataFile(id);
    assertArrayEquals(bytes, Files.readAllBytes(stored));
    assertFalse(Files.isSameFile(src, stored), "copy mode must not link the source");
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)));
    assertEquals(stored.getParent().getFileName().toString(), id.hex().substring(0, 2));
    // Each piece's CRC is the one a peer would compute.
    PieceData p2 = store.readPiece(id, 2);
    assertEquals(crc(bytes, 8 * MIB, bytes.length - 8 * MIB), p2.crc32c());
    assertEquals(8L * MIB, p2.offset());

    Path out = store.materialize(id, tmp.resolve("out/video.bin"), false);
    assertArrayEquals(bytes, Files.readAllBytes(out));
    assertTrue(Files.isSameFile(out, stored), "a read-only materialization is a hard link");
    assertEquals(List.of(), Files.list(data.resolve("tmp")).toList());
  }

  @Test
  void importMoveHardLinksTheSource() throws Exception {
    byte[] bytes = randomBytes(100_000, 2);
    Path src = write(tmp.resolve("in/model.bin"), bytes);

    ImportResult r = store.importFile(src, true, false);

    assertEquals(0, r.storedBytes());
    assertTrue(Files.isSameFile(src, store.dataFile(r.content().id())));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(src)));

    Path copy = store.materialize(r.content().id(), tmp.resolve("out/writable.bin"), true);
    assertFalse(Files.isSameFile(copy, src));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
    Files.write(copy, new byte[] {1}); // writable, and the store is untouched
    assertEquals(bytes.length, Files.size(store.dataFile(r.content().id())));
    assertTrue(store.verify(r.content().id()).ok());
  }

  @Test
  void identicalFilesAreStoredOnce() throws Exception {
    byte[] bytes = randomBytes(5000, 3);
    ImportResult first = store.importFile(write(tmp.resolve("a"), bytes), false, false);
    ImportResult second = store.importFile(write(tmp.resolve("b"), bytes), false, true);

    assertEquals(first.content().id(), second.content().id());
    assertEquals(5000, first.storedBytes());
    assertEquals(0, second.storedBytes());
    assertEquals(1, second.content().pinCount());
    assertEquals(new StoreUsage(5000, 5000, 1L << 40, 1), store.usage());
    assertEquals(List.of("tmp"), List.of(Files.list(data.resolve("tmp")).count() == 0 ? "tmp" : "dirty"));
  }

  @Test
  void emptyFileIsAContent() throws Exception {
    ImportResult r = store.importFile(write(tmp.resolve("empty"), new byte[0]), false, false);
    assertEquals(sha256(new byte[0]), r.content().id());
    assertEquals(0, r.content().layout().pieceCount());
    assertTrue(r.content().complete());
    Path out = store.materialize(r.content().id(), tmp.resolve("out/e"), false);
    assertEquals(0, Files.size(out));
    assertTrue(store.verify(r.content().id()).ok());
  }

  @Test
  void rejectsWhatIsNotARegularFile() throws Exception {
    Files.createDirectories(tmp.resolve("dir"));
    PeerException dir = assertThrows(PeerException.class, () -> store.importFile(tmp.resolve("dir"), false, false));
    assertEquals(ErrorCode.INVALID_ARGUMENT, dir.code());
    assertTrue(dir.getMessage().contains(tmp.resolve("dir").toString()), dir.getMessage());
    PeerException missing = assertThrows(PeerException.class,
        () -> store.importFile(tmp.resolve("nope"), false, false));
    assertEquals(ErrorCode.INVALID_ARGUMENT, missing.code());
    assertTrue(missing.getMessage().contains("nope"));
    Path fifo = tmp.resolve("fifo");
    if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
      PeerException pipe = assertThrows(PeerException.class, () -> store.importFile(fifo, false, false));
      assertEquals(ErrorCode.INVALID_ARGUMENT, pipe.code());
      assertTrue(pipe.getMessage().contains(fifo.toString()));
    }
  }

  @Test
  void materializeRefusesExistingDestAndUnknownIds() throws Exception {
    ContentId id = store.importFile(write(tmp.resolve("a"), new byte[] {1, 2}), false, false).content().id();
    Path dest = write(tmp.resolve("exists"), new byte[] {9});
    assertEquals(ErrorCode.ALREADY_EXISTS,
        assertThrows(PeerException.class, () -> store.materialize(id, dest, false)).code());
    assertArrayEquals(new byte[] {9}, Files.readAllBytes(dest));
    ContentId unknown = sha256(new byte[] {7});
    assertEquals(ErrorCode.NOT_FOUND,
        assertThrows(PeerException.class, () -> store.materialize(unknown, tmp.resolve("x"), false)).code());
  }

  @Test
  void piecesArriveOutOfOrderWithCrcChecks() throws Exception {
    byte[] bytes = randomBytes(10_000, 4);
    ContentId id = sha256(bytes);
    PieceLayout layout = new PieceLayout(bytes.length, 1024);
    ContentInfo begun = store.begin(id, ContentKind.FILE, layout);
    assertEquals(ContentState.PARTIAL, begun.state());
    assertEquals(10, layout.pieceCount());
    assertEquals(bytes.length, Files.size(store.dataFile(id)), "preallocated to full length");

    // A lying parent: wrong CRC is rejected and the piece stays missing.
    try (PieceWriter w = store.writePiece(id, 3)) {
      w.write(ByteBuffer.wrap(bytes, 3 * 1024, 1024));
      PeerException e = assertThrows(PeerException.class, () -> w.commit(12345));
      assertEquals(ErrorCode.CORRUPT_CONTENT, e.code());
    }
    assertFalse(store.finishedPieces(id).get(3));
    // Too short a piece is rejected too.
    try (PieceWriter w = store.writePiece(id, 4)) {
      w.write(ByteBuffer.wrap(bytes, 4 * 1024, 100));
      assertEquals(ErrorCode.CORRUPT_CONTENT, assertThrows(PeerException.class, () -> w.commit(0)).code());
    }
    // Too long is refused at write.
    try (PieceWriter w = store.writePiece(id, 9)) {
      assertEquals(ErrorCode.INVALID_ARGUMENT,
          assertThrows(PeerException.class, () -> w.write(ByteBuffer.allocate(1024))).code());
    }

    for (int p = 9; p >= 1; p--) {
      writePiece(id, layout, bytes, p);
      assertEquals(ContentState.PARTIAL, store.stat(id).orElseThrow().state());
    }
    // A half-finished peer serves its finished pieces.
    PieceData served = store.readPiece(id, 9);
    assertEquals(10_000 - 9 * 1024, served.length());
    assertEquals(crc(bytes, 9 * 1024, served.length()), served.crc32c());
    assertEquals(ErrorCode.INCOMPLETE, assertThrows(PeerException.class, () -> store.readPiece(id, 0)).code());
    assertEquals(ErrorCode.INCOMPLETE,
        assertThrows(PeerException.class, () -> store.materialize(id, tmp.resolve("early"), false)).code());
    assertFalse(Files.exists(tmp.resolve("early")));

    // Writing an already finished piece is ignored, never counted twice.
    try (PieceWriter again = store.writePiece(id, 5)) {
      again.write(ByteBuffer.allocate(1024));
      again.commit(0);
    }
    assertEquals(9, store.stat(id).orElseThrow().finishedPieces());

    writePiece(id, layout, bytes, 0);
    ContentInfo done = store.stat(id).orElseThrow();
    assertEquals(ContentState.COMPLETE, done.state());
    assertEquals(10, done.finishedPieces());
    assertArrayEquals(bytes, Files.readAllBytes(store.dataFile(id)));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.dataFile(id))));
    assertTrue(store.verify(id).ok());
  }

  @Test
  void shaMismatchWhenTheLastPieceLandsDiscardsTheContent() throws Exception {
    byte[] bytes = randomBytes(3000, 5);
    ContentId claimed = sha256(randomBytes(3000, 6));
    PieceLayout layout = new PieceLayout(bytes.length, 1024);
    store.begin(claimed, ContentKind.FILE, layout);
    writePiece(claimed, layout, bytes, 0);
    writePiece(claimed, layout, bytes, 1);
    PeerException e = assertThrows(PeerException.class, () -> writePiece(claimed, layout, bytes, 2));
    assertEquals(ErrorCode.CORRUPT_CONTENT, e.code());
    assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    assertTrue(store.stat(claimed).isEmpty());
    assertFalse(Files.exists(store.dataFile(claimed)));
    assertEquals(0, store.usage().usedBytes());
  }

  @Test
  void emptyContentThroughBeginCompletesAtOnce() throws Exception {
    ContentId id = sha256(new byte[0]);
    ContentInfo info = store.begin(id, ContentKind.FILE, PieceLayout.forLength(0));
    assertTrue(info.complete());
  }

  @Test
  void concurrentWritersOnDifferentPieces() throws Exception {
    byte[] bytes = randomBytes(64 * 4096 - 17, 7);
    ContentId id = sha256(bytes);
    PieceLayout layout = new PieceLayout(bytes.length, 4096);
    store.begin(id, ContentKind.FILE, layout);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int p = 0; p < layout.pieceCount(); p++) {
        int piece = p;
        fs.add(pool.submit(() -> {
          writePiece(id, layout, bytes, piece);
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(store.stat(id).orElseThrow().complete());
    assertArrayEquals(bytes, Files.readAllBytes(store.dataFile(id)));
  }

  @Test
  void onlyOneWriterPerPieceAtATime() throws Exception {
    byte[] bytes = randomBytes(2048, 8);
    ContentId id = sha256(bytes);
    PieceLayout layout = new PieceLayout(bytes.length, 1024);
    store.begin(id, ContentKind.FILE, layout);
    try (PieceWriter w = store.writePiece(id, 0)) {
      assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(PeerException.class, () -> store.writePiece(id, 0)).code());
      w.abort();
    }
    writePiece(id, layout, bytes, 0); // free again after abort
    assertTrue(store.finishedPieces(id).get(0));
  }

  @Test
  void reopenKeepsContentsPartialBitmapsAndPins() throws Exception {
    byte[] whole = randomBytes(7000, 9);
    ContentId complete = store.importFile(write(tmp.resolve("c"), whole), false, true).content().id();
    byte[] bytes = randomBytes(8 * 1024, 10);
    ContentId partial = sha256(bytes);
    PieceLayout layout = new PieceLayout(bytes.length, 1024);
    store.begin(partial, ContentKind.FILE, layout);
    writePiece(partial, layout, bytes, 1);
    writePiece(partial, layout, bytes, 6);
    store.pin(partial);
    store.pin(partial);

    reopen();

    ContentInfo c = store.stat(complete).orElseThrow();
    assertTrue(c.complete());
    assertEquals(1, c.pinCount());
    ContentInfo p = store.stat(partial).orElseThrow();
    assertEquals(ContentState.PARTIAL, p.state());
    assertEquals(2, p.pinCount());
    BitSet expected = new BitSet();
    expected.set(1);
    expected.set(6);
    assertEquals(expected, store.finishedPieces(partial));
    assertEquals(store.begin(partial, ContentKind.FILE, layout).finishedPieces(), 2, "begin resumes");
    for (int i = 0; i < 8; i++) {
      writePiece(partial, layout, bytes, i); // finished ones are ignored
    }
    assertTrue(store.stat(partial).orElseThrow().complete());
    assertArrayEquals(whole, Files.readAllBytes(store.dataFile(complete)));
    assertEquals(2, store.list().size());
  }

  @Test
  void openCleansOrphansTempFilesAndRecordsWithoutData() throws Exception {
    ContentId kept = store.importFile(write(tmp.resolve("k"), new byte[] {1}), false, false).content().id();
    ContentId lost = store.importFile(write(tmp.resolve("l"), new byte[] {2}), false, false).content().id();
    store.close();
    // A crash mid-import leaves a data file without a record and junk in tmp/.
    ContentId orphan = sha256(new byte[] {3});
    write(data.resolve("content").resolve(orphan.shard()).resolve(orphan.hex()), new byte[] {3});
    write(data.resolve("tmp/import-123"), new byte[] {4});
    Files.setPosixFilePermissions(store.dataFile(lost), PosixFilePermissions.fromString("rw-r--r--"));
    Files.delete(store.dataFile(lost));

    store = FileContentStore.open(StoreTestSupport.settings(data, clock));

    assertFalse(Files.exists(store.dataFile(orphan)));
    assertEquals(List.of(), Files.list(data.resolve("tmp")).toList());
    assertTrue(store.stat(lost).isEmpty());
    assertTrue(store.stat(kept).isPresent());
    assertEquals(1, store.usage().contentCount());
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() {
    PeerException e = assertThrows(PeerException.class,
        () -> FileContentStore.open(StoreTestSupport.settings(data, clock)));
    assertEquals(ErrorCode.IO_ERROR, e.code());
    assertTrue(e.getMessage().contains("already open"), e.getMessage());
  }

  @Test
  void bitFlipIsFoundAndTheContentIsNoLongerComplete() throws Exception {
    byte[] bytes = randomBytes(9 * MIB, 11);
    ContentId id = store.importFile(write(tmp.resolve("f"), bytes), false, false).content().id();
    assertTrue(store.verify(id).ok());
    Path file = store.dataFile(id);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long at = 5L * MIB + 77;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x10);
    }

    VerifyReport report = store.verify(id);

    assertEquals(List.of(1), report.badPieces());
    assertFalse(report.sha256Ok());
    assertFalse(report.ok());
    assertTrue(report.detail().contains("[1]"), report.detail());
    ContentInfo after = store.stat(id).orElseThrow();
    assertEquals(ContentState.PARTIAL, after.state());
    assertFalse(store.finishedPieces(id).get(1));
    assertEquals(ErrorCode.INCOMPLETE, assertThrows(PeerException.class, () -> store.readPiece(id, 1)).code());
    assertEquals(ErrorCode.INCOMPLETE,
        assertThrows(PeerException.class, () -> store.materialize(id, tmp.resolve("bad"), false)).code());

    // Repair by fetching the piece again.
    PieceLayout layout = after.layout();
    writePiece(id, layout, bytes, 1);
    assertTrue(store.stat(id).orElseThrow().complete());
    assertTrue(store.verify(id).ok());
  }

  @Test
  void deleteHonoursPins() throws Exception {
    ContentId id = store.importFile(write(tmp.resolve("a"), new byte[100]), false, true).content().id();
    assertEquals(ErrorCode.PINNED, assertThrows(PeerException.class, () -> store.delete(id, false)).code());
    assertEquals(100, store.delete(id, true));
    assertFalse(Files.exists(store.dataFile(id)));
    assertEquals(0, store.delete(id, false));
    assertEquals(0, store.unpin(store.importFile(write(tmp.resolve("b"), new byte[1]), false, false)
        .content().id()).pinCount(), "never below zero");
  }

  @Test
  void settingsAreValidated() {
    assertThrows(PeerException.class, () -> StoreTestSupport.settings(data, clock).withQuotaBytes(0));
    assertThrows(PeerException.class, () -> StoreTestSupport.settings(data, clock).withWatermarks(0.5, 0.8));
    assertThrows(PeerException.class, () -> StoreTestSupport.settings(data, clock).withWatermarks(1.5, 0.8));
    assertThrows(PeerException.class,
        () -> StoreTestSupport.settings(data, clock).withTtl(java.time.Duration.ofSeconds(-1)));
    StoreSettings d = StoreSettings.defaults(tmp.resolve("nowhere/yet"));
    assertTrue(d.quotaBytes() > 0);
    assertEquals(0.90, d.highWatermark());
    assertEquals(0.75, d.lowWatermark());
    assertNotEquals(null, d.clock());
  }

  @Test
  void aOnePieceContentIsCheckedAgainstItsId() throws Exception {
    onePieceContentIsCheckedAgainstItsId(store); // buffered: read back after its commit
    try (FileContentStore direct = FileContentStore.open(
        StoreTestSupport.settings(tmp.resolve("direct"), clock).withDirectIo(true))) {
      onePieceContentIsCheckedAgainstItsId(direct); // direct: hashed as it arrives
    }
  }

  private void onePieceContentIsCheckedAgainstItsId(FileContentStore s) throws Exception {
    byte[] bytes = randomBytes(3000, 7);
    PieceLayout layout = new PieceLayout(bytes.length, 4096);
    ContentId claimed = sha256(randomBytes(3000, 8));
    s.begin(claimed, ContentKind.FILE, layout);
    PeerException e = assertThrows(PeerException.class, () -> writePiece(s, claimed, layout, bytes, 0));
    assertEquals(ErrorCode.CORRUPT_CONTENT, e.code());
    assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    assertTrue(s.stat(claimed).isEmpty());

    ContentId id = sha256(bytes);
    s.begin(id, ContentKind.FILE, layout);
    writePiece(s, id, layout, bytes, 0);
    assertEquals(ContentState.COMPLETE, s.stat(id).orElseThrow().state());
    assertArrayEquals(bytes, Files.readAllBytes(s.dataFile(id)));
  }

  @Test
  void aDirectIoStoreWritesPiecesPastThePageCache() throws Exception {
    try (FileContentStore direct = FileContentStore.open(
        StoreTestSupport.settings(tmp.resolve("direct"), clock).withDirectIo(true))) {
      // Pieces of 2 MiB (eight staging buffers each) and a last one of 9000 bytes: two whole blocks and a tail.
      byte[] bytes = randomBytes(4 * MIB + 9000, 21);
      ContentId id = sha256(bytes);
      PieceLayout layout = new PieceLayout(bytes.length, 2 * MIB);
      direct.begin(id, ContentKind.FILE, layout);
      assumeTrue(DirectIo.openWrite(direct.dataFile(id)) != null, "the temp dir's file system refuses O_DIRECT");

      try (PieceWriter w = direct.writePiece(id, 1)) { // a lying parent: the staged bytes go nowhere useful
        writeInChunks(w, bytes, (int) layout.offset(1), layout.size(1));
        assertEquals(ErrorCode.CORRUPT_CONTENT, assertThrows(PeerException.class, () -> w.commit(1)).code());
      }
      assertFalse(direct.finishedPieces(id).get(1));
      for (int p : new int[] {2, 0, 1}) {
        int off = (int) layout.offset(p);
        try (PieceWriter w = direct.writePiece(id, p)) {
          writeInChunks(w, bytes, off, layout.size(p));
          w.commit(crc(bytes, off, layout.size(p)));
        }
      }
      assertEquals(ContentState.COMPLETE, direct.stat(id).orElseThrow().state());
      assertArrayEquals(bytes, Files.readAllBytes(direct.dataFile(id)));
      assertTrue(direct.verify(id).ok());
      assertTrue(direct.readPiece(id, 0).directIo(), "downloaded pieces are served with direct reads");

      byte[] other = randomBytes(3 * MIB, 24);
      ContentId imported = direct.importFile(write(tmp.resolve("imported"), other), false, false).content().id();
      assertFalse(direct.readPiece(imported, 0).directIo(), "an import went through the page cache: sendfile");
    }
  }

  @Test
  void aStoreWhoseFileSystemRefusesDirectWritesGoesOnBuffered() throws Exception {
    AtomicInteger directOpens = new AtomicInteger();
    StoreSettings settings = StoreTestSupport.settings(tmp.resolve("refusing"), clock).withDirectIo(true);
    try (FileContentStore refusing = FileContentStore.open(settings, new LruEvictionStrategy(), file -> {
      directOpens.incrementAndGet();
      return HookedChannel.refusing(FileChannel.open(file, StandardOpenOption.WRITE));
    })) {
      byte[] bytes = randomBytes(4 * MIB + 9000, 22);
      ContentId id = sha256(bytes);
      PieceLayout layout = new PieceLayout(bytes.length, 2 * MIB);
      refusing.begin(id, ContentKind.FILE, layout);
      for (int p : new int[] {1, 0, 2}) {
        int off = (int) layout.offset(p);
        try (PieceWriter w = refusing.writePiece(id, p)) {
          writeInChunks(w, bytes, off, layout.size(p)); // the first full staging buffer is refused
          w.commit(crc(bytes, off, layout.size(p)));
        }
      }
      assertEquals(ContentState.COMPLETE, refusing.stat(id).orElseThrow().state());
      assertArrayEquals(bytes, Files.readAllBytes(refusing.dataFile(id)));
      assertEquals(1, directOpens.get(), "after the refusal, pieces are written buffered");
      assertFalse(refusing.readPiece(id, 0).directIo(), "and served buffered");
    }
  }

  @Test
  void directWritesWaitForTheDiskOffTheReceivingThreadAndLandBeforeThePieceIsFreed() throws Exception {
    Semaphore disk = new Semaphore(0); // a disk that writes nothing until the test lets it
    AtomicInteger waiting = new AtomicInteger();
    StoreSettings settings = StoreTestSupport.settings(tmp.resolve("slow"), clock).withDirectIo(true);
    try (FileContentStore slow = FileContentStore.open(settings, new LruEvictionStrategy(), file -> {
      FileChannel real = DirectIo.openWrite(file);
      return real == null ? null : new HookedChannel(real, () -> {
        waiting.incrementAndGet();
        disk.acquireUninterruptibly();
      });
    })) {
      byte[] bytes = randomBytes(4 * MIB, 23);
      ContentId id = sha256(bytes);
      PieceLayout layout = new PieceLayout(bytes.length, 2 * MIB);
      slow.begin(id, ContentKind.FILE, layout);
      assumeTrue(DirectIo.openWrite(slow.dataFile(id)) != null, "the temp dir's file system refuses O_DIRECT");
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        PieceWriter w = slow.writePiece(id, 0);
        // 1 MiB is four full staging buffers: handed to disk threads, so write() returns with nothing written.
        other.submit(() -> w.write(ByteBuffer.wrap(bytes, 0, MIB))).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get() == 4);

        Future<?> abort = other.submit(w::abort);
        Thread.sleep(200);
        assertFalse(abort.isDone(), "abort waits for the writes under way");
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(PeerException.class,
            () -> slow.writePiece(id, 0)).code(), "the piece is not free while its old bytes may still land");
        disk.release(Integer.MAX_VALUE / 2);
        abort.get(10, TimeUnit.SECONDS);
      } finally {
        disk.release(Integer.MAX_VALUE / 2);
        other.shutdownNow();
      }
      for (int p = 0; p < 2; p++) {
        int off = (int) layout.offset(p);
        try (PieceWriter w = slow.writePiece(id, p)) {
          writeInChunks(w, bytes, off, layout.size(p));
          w.commit(crc(bytes, off, layout.size(p)));
        }
      }
      assertEquals(ContentState.COMPLETE, slow.stat(id).orElseThrow().state());
      assertArrayEquals(bytes, Files.readAllBytes(slow.dataFile(id)));
    }
  }

  /** Writes as a socket delivers: chunks of an odd size that straddle staging buffers and blocks. */
  private static void writeInChunks(PieceWriter w, byte[] bytes, int off, int size) {
    for (int at = 0; at < size; at += 100_003) {
      w.write(ByteBuffer.wrap(bytes, off + at, Math.min(100_003, size - at)));
    }
  }

  private void writePiece(ContentId id, PieceLayout layout, byte[] bytes, int p) {
    writePiece(store, id, layout, bytes, p);
  }

  private static void writePiece(FileContentStore s, ContentId id, PieceLayout layout, byte[] bytes, int p) {
    int off = (int) layout.offset(p);
    try (PieceWriter w = s.writePiece(id, p)) {
      w.write(ByteBuffer.wrap(bytes, off, layout.size(p)));
      w.commit(crc(bytes, off, layout.size(p)));
    }
  }

  @Test
  void putThroughPiecesHelperWorks() throws Exception {
    ContentId id = putThroughPieces(store, randomBytes(5 * MIB, 12), ContentKind.FILE);
    assertTrue(store.stat(id).orElseThrow().complete());
  }
}
