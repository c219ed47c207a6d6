package io.rayfile.d7y.peer.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URL-task bytes live under their task id: complete on CRCs alone, verifiable, materializable. */
class ExternalContentTest {
  @TempDir
  Path tmp;

  @Test
  void externalContentCompletesWithoutAnIdDigestAndVerifies() throws Exception {
    byte[] bytes = new byte[(4 << 20) + 100];
    new Random(1).nextBytes(bytes);
    ContentId taskId = new ContentId(HexFormat.of().formatHex(new byte[32]).replace('0', '7'));
    try (FileContentStore store = FileContentStore.open(StoreSettings.defaults(tmp.resolve("d"))
        .withQuotaBytes(1L << 30))) {
      PieceLayout layout = PieceLayout.forLength(bytes.length);
      store.begin(taskId, ContentKind.EXTERNAL, layout);
      for (int p = layout.pieceCount() - 1; p >= 0; p--) {
        ByteBuffer piece = ByteBuffer.wrap(bytes, (int) layout.offset(p), layout.size(p));
        CRC32C crc = new CRC32C();
        crc.update(piece.duplicate());
        try (PieceWriter w = store.writePiece(taskId, p)) {
          w.write(piece);
          w.commit((int) crc.getValue());
        }
      }
      assertTrue(store.stat(taskId).orElseThrow().complete());
      assertEquals(ContentKind.EXTERNAL, store.stat(taskId).orElseThrow().kind());
      assertTrue(store.verify(taskId).ok(), store.verify(taskId).detail());
      Path out = store.materialize(taskId, tmp.resolve("out.bin"), false);
      assertEquals(-1, Files.mismatch(out, Files.write(tmp.resolve("expected.bin"), bytes)));
    }
  }
}
