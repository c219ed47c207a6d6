package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.FileContentStore;
import io.rayfile.d7y.peer.storage.StoreSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rayfile bench import}: import throughput of a fresh store against the system {@code sha256sum} reading the
 * same (page-cached) file in the same run. The import hashes, CRCs and copies in one pass, so the ratio says how
 * close one pass gets to the cost of hashing alone.
 */
@Command(name = "import", description = "Import throughput versus `sha256sum` on the same file, same run.")
final class BenchImportCommand implements Callable<Integer> {
  @Option(names = "--size", description = "File size (default 1GiB).")
  String size = "1GiB";


  @Option(names = "--rounds", description = "Measure each side this many times and keep the best (default 2).")
  int rounds = 2;

  @Mixin
  BenchOptions options;

  @Override
  public Integer call() throws Exception {
    long bytes = ByteSize.parse(size).bytes();
    Path scratch = options.scratch("import");
    try {
      Path file = scratch.resolve("input.bin");
      writeRandom(file, bytes);
      double shaSeconds = Double.MAX_VALUE;
      double copySeconds = Double.MAX_VALUE;
      double moveSeconds = Double.MAX_VALUE;
      for (int round = 0; round < rounds; round++) {
        shaSeconds = Math.min(shaSeconds, sha256sum(file));
        copySeconds = Math.min(copySeconds, importOnce(scratch.resolve("store-copy-" + round), file, false));
        moveSeconds = Math.min(moveSeconds, importOnce(scratch.resolve("store-move-" + round), file, true));
      }
      double mb = bytes / 1e6;
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("bytes", bytes);
      r.put("seconds", copySeconds);
      r.put("mb_per_s", mb / copySeconds);
      r.put("sha256sum_mb_per_s", mb / shaSeconds);
      r.put("ratio", shaSeconds / copySeconds);
      r.put("mode", "copy");
      r.put("link_mb_per_s", mb / moveSeconds);
      r.put("link_ratio", shaSeconds / moveSeconds);
      if (options.json) {
        Output.json(r);
      } else {
        System.out.printf("import (copy, one pass): %.0f MB/s; link import: %.0f MB/s; sha256sum: %.0f MB/s; "
                + "ratio %.2f (link %.2f)%n", mb / copySeconds, mb / moveSeconds, mb / shaSeconds,
            shaSeconds / copySeconds, shaSeconds / moveSeconds);
      }
      return 0;
    } finally {
      deleteTree(scratch);
    }
  }

  private static double importOnce(Path storeDir, Path file, boolean move) {
    StoreSettings settings = StoreSettings.defaults(storeDir);
    try (ContentStore store = FileContentStore.open(settings)) {
      long start = System.nanoTime();
      store.importFile(file, move, false);
      return (System.nanoTime() - start) / 1e9;
    }
  }

  private static double sha256sum(Path file) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process p = new ProcessBuilder("sha256sum", file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new PeerException(ErrorCode.INTERNAL, "sha256sum failed: " + out);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** Random bytes, not zeros: no file system or page cache can shortcut them. */
  static void writeRandom(Path file, long bytes) throws IOException {
    writeRandom(file, bytes, 42);
  }

  /** As {@link #writeRandom(Path, long)}, from {@code seed}: another seed, another content. */
  static void writeRandom(Path file, long bytes, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long left = bytes;
      while (left > 0) {
        buf.clear();
        while (buf.remaining() >= 8) {
          buf.putLong(random.nextLong());
        }
        buf.flip();
        buf.limit((int) Math.min(buf.limit(), left));
        left -= buf.remaining();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        p.toFile().setWritable(true);
        Files.deleteIfExists(p);
      }
    }
  }
}
