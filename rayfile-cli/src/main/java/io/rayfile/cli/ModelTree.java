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

  /**
   * A model directory of about {@code totalBytes}: {@code shards} weight shards (every tenth a duplicate of an
   * earlier one, as tied or repeated layers are), a config, and many small tokenizer/vocabulary files, so the tree
   * has a few hundred entries of very different sizes.
   */
  static Path generateModel(Path root, long totalBytes, int shards, int smallFiles) throws IOException {
    Files.createDirectories(root.resolve("weights"));
    Files.createDirectories(root.resolve("tokenizer"));
    Files.writeString(root.resolve("config.json"), "{\"layers\":" + shards + ",\"dtype\":\"bf16\"}\n");
    SplittableRandom random = new SplittableRandom(11);
    int shardBytes = (int) Math.max(1, (totalBytes - smallFiles * 16L * 1024) / shards);
    byte[] shard = new byte[shardBytes];
    Path previous = null;
    for (int i = 0; i < shards; i++) {
      Path p = root.resolve(String.format("weights/shard-%04d.safetensors", i));
      if (i % 10 == 9 && previous != null) {
        Files.copy(previous, p);
      } else {
        random.nextBytes(shard);
        Files.write(p, shard);
      }
      previous = p;
    }
    for (int i = 0; i < smallFiles; i++) {
      byte[] small = new byte[1024 + random.nextInt(31 * 1024)];
      random.nextBytes(small);
      Files.write(root.resolve(String.format("tokenizer/vocab-%04d.bin", i)), small);
    }
    return root;
  }

  /** The SHA-256 of a file, in hex. */
  static String sha256(Path file) throws IOException {
    try (java.io.InputStream in = Files.newInputStream(file)) {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return java.util.HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
