package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Throwaway loopback benchmark, not part of the test suite: one client fetching a 1 GiB content from one server
 * in pieces (through the fake store's piece writers, CRC32C checked) versus a plain sendfile of the same file
 * over a loopback socket to a receiver writing it to disk.
 *
 * <p>Run: {@code java -cp <test classpath> io.rayfile.d7y.peer.transfer.TransferBenchmark [dir] [GiB] [rounds]}
 */
public final class TransferBenchmark {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"), "rayfile-bench");
    long size = (long) (Double.parseDouble(args.length > 1 ? args[1] : "1") * (1L << 30));
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Files.createDirectories(dir.resolve("server"));
    Files.createDirectories(dir.resolve("client"));
    Path source = dir.resolve("server/source.bin");
    if (!Files.exists(source) || Files.size(source) != size) {
      writeRandom(source, size);
    }
    PieceLayout layout = PieceLayout.forLength(size);
    System.out.printf("content %d MiB, %d pieces of %d MiB%n", size >> 20, layout.pieceCount(),
        layout.pieceLength() >> 20);
    FakeContentStore serverStore = new FakeContentStore(dir.resolve("server"));
    ContentId id = Wire.id(0xbe7c);
    serverStore.putFile(id, source, layout.pieceLength());

    for (int round = 1; round <= rounds; round++) {
      double plain = plainSendfile(source, dir.resolve("client/plain.bin"), size);
      double pieces = pieceTransfer(serverStore, id, layout, dir.resolve("client"));
      System.out.printf("round %d: plain sendfile %.0f MB/s, piece transfer %.0f MB/s, ratio %.2f%n", round, plain,
          pieces, pieces / plain);
    }
  }

  private static double pieceTransfer(FakeContentStore serverStore, ContentId id, PieceLayout layout, Path clientDir)
      throws Exception {
    Path clientFile = clientDir.resolve(id.hex());
    Files.deleteIfExists(clientFile);
    FakeContentStore clientStore = new FakeContentStore(clientDir);
    CountingTransferMetrics metrics = new CountingTransferMetrics();
    try (PieceServer server = PieceServer.start(new HostPort("127.0.0.1", 0), serverStore,
        ServerSettings.defaults(), TransferMetrics.NOOP);
        PieceClient client = PieceClient.create(ClientSettings.defaults(), metrics)) {
      HostPort parent = new HostPort("127.0.0.1", server.port());
      long start = System.nanoTime();
      clientStore.begin(id, ContentKind.FILE, layout);
      List<CompletableFuture<PieceResult>> futures = new ArrayList<>();
      for (int p = 0; p < layout.pieceCount(); p++) {
        futures.add(client.fetch(parent, id, p, PieceSink.of(clientStore.writePiece(id, p))));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (metrics.bytesReceived() != layout.length()) {
        throw new AssertionError("received " + metrics.bytesReceived());
      }
      return layout.length() / seconds / 1e6;
    } finally {
      Files.deleteIfExists(clientFile);
    }
  }

  /** sendfile of the whole file to a receiver that writes what it reads to disk through a direct buffer. */
  private static double plainSendfile(Path source, Path dest, long size) throws Exception {
    Files.deleteIfExists(dest);
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
      long start = System.nanoTime();
      CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
        try (SocketChannel out = listener.accept(); FileChannel in = FileChannel.open(source)) {
          long pos = 0;
          while (pos < size) {
            pos += in.transferTo(pos, size - pos, out);
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      try (SocketChannel in = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
          FileChannel out = FileChannel.open(dest, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long got = 0;
        while (got < size) {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          got += n;
          buf.flip();
          while (buf.hasRemaining()) {
            out.write(buf);
          }
          buf.clear();
        }
      }
      sender.join();
      double seconds = (System.nanoTime() - start) / 1e9;
      return size / seconds / 1e6;
    } finally {
      Files.deleteIfExists(dest);
    }
  }

  private static void writeRandom(Path file, long size) throws IOException {
    Random r = new Random(1);
    byte[] block = new byte[1 << 20];
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long pos = 0; pos < size; pos += block.length) {
        r.nextBytes(block);
        out.write(ByteBuffer.wrap(block, 0, (int) Math.min(block.length, size - pos)));
      }
    }
  }
}
