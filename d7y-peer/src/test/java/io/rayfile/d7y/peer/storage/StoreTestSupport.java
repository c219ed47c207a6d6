package io.rayfile.d7y.peer.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32C;

/** Shared helpers of the storage tests. */
final class StoreTestSupport {
  private StoreTestSupport() {}

  static StoreSettings settings(Path dataDir, MutableClock clock) {
    return new StoreSettings(dataDir, 1L << 40, 0.90, 0.75, Duration.ZERO, clock, 1000);
  }

  static MutableClock clock() {
    return new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static Path write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.write(file, bytes);
  }

  /** The id computed independently of the store. */
  static ContentId sha256(byte[] bytes) throws Exception {
    return new ContentId(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
  }

  static int crc(byte[] bytes, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(bytes, off, len);
    return (int) c.getValue();
  }

  /** Stores {@code bytes} through the piece path (begin + every piece). */
  static ContentId putThroughPieces(ContentStore store, byte[] bytes, ContentKind kind) throws Exception {
    ContentId id = sha256(bytes);
    PieceLayout layout = PieceLayout.forLength(bytes.length);
    store.begin(id, kind, layout);
    for (int p = 0; p < layout.pieceCount(); p++) {
      int off = (int) layout.offset(p);
      try (PieceWriter w = store.writePiece(id, p)) {
        w.write(ByteBuffer.wrap(bytes, off, layout.size(p)));
        w.commit(crc(bytes, off, layout.size(p)));
      }
    }
    return id;
  }
}
