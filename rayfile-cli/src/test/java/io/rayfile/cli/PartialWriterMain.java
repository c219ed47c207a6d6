package io.rayfile.cli;

import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.FileContentStore;
import io.rayfile.d7y.peer.storage.PieceLayout;
import io.rayfile.d7y.peer.storage.PieceWriter;
import io.rayfile.d7y.peer.storage.StoreSettings;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Stands in for a download that dies halfway (the P2P engine does this for real later): writes the given pieces
 * of a file into a store through the piece-writer path, prints READY and waits to be SIGKILLed.
 * Args: dataDir sourceFile sha256hex piece...
 */
public final class PartialWriterMain {
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    Path source = Path.of(args[1]);
    ContentId id = new ContentId(args[2]);
    FileContentStore store = FileContentStore.open(StoreSettings.defaults(data));
    try (FileChannel in = FileChannel.open(source)) {
      PieceLayout layout = PieceLayout.forLength(in.size());
      store.begin(id, ContentKind.FILE, layout);
      for (int i = 3; i < args.length; i++) {
        int piece = Integer.parseInt(args[i]);
        ByteBuffer buf = ByteBuffer.allocate(layout.size(piece));
        in.read(buf, layout.offset(piece));
        buf.flip();
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate());
        try (PieceWriter w = store.writePiece(id, piece)) {
          w.write(buf);
          w.commit((int) crc.getValue());
        }
      }
    }
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // never closes the store: the test kills this process
  }

  private PartialWriterMain() {}
}
