package io.rayfile.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** A generated "model directory": nested shards, a duplicated file, a config, an empty directory. */
final class ModelTree {
  private ModelTree() {}

  /** Writes {@code shards} random shard files of {@code shardBytes} (two of them identical) under {@code root}. */
  static Path generate(Path root, int shards, int shardBytes) throws IOException {
    Files.createDirectories(root.resolve("weights/layers"));
    Files.createDirectories(root.resolve("cache/empty"));
    Files.writeString(root.resolve("config.json"), "{\"layers\":" + shards + ",\"dtype\":\"bf16\"}\n");
    SplittableRandom random = new SplittableRandom(7);
    byte[] shard = new byte[shardBytes];
    for (int i = 0; i < shards; i++) {
      if (i != 1) { // shard 1 duplicates shard 0, as tied embeddings do
        random.nextBytes(shard);
      }
      Files.write(root.resolve(String.format("weights/layers/shard-%03d.bin", i)), shard);
    }
    Files.write(root.resolve("weights/tokenizer.bin"), Arrays.copyOf(shard, 1000));
    return root;
  }

  /** True when both trees have the same relative paths, kinds and file bytes. */
  static boolean sameTree(Path a, Path b) throws IOException {
    List<Path> left = relative(a);
    List<Path> right = relative(b);
    if (!left.equals(right)) {
      return false;
    }
    for (Path rel : left) {
      Path x = a.resolve(rel);
      Path y = b.resolve(rel);
      if (Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS) != Files.isDirectory(y, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      if (Files.isRegularFile(x, LinkOption.NOFOLLOW_LINKS) && Files.mismatch(x, y) != -1) {
        return false;
      }
    }
    return true;
  }

  private static List<Path> relative(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.map(root::relativize).sorted().toList();
    }
  }
}
