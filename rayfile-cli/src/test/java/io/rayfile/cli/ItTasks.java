package io.rayfile.cli;

import io.rayfile.api.RayFile;
import io.rayfile.api.TaskContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tasks the runtime ITs run on node processes (they share the test class path). */
public final class ItTasks {
  private ItTasks() {}

  /** Reverses the bytes of a file and appends a tag, so each step of a chain is visible in the output. */
  public static Path reverse(Path in, String tag) throws IOException {
    byte[] b = Files.readAllBytes(in);
    byte[] out = new byte[b.length + tag.length()];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[b.length - 1 - i];
    }
    System.arraycopy(tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, out, b.length, tag.length());
    Path p = TaskContext.current().scratchDir().resolve("reversed.bin");
    Files.write(p, out);
    return p;
  }

  /** Expected output of {@link #reverse}, computed locally. */
  public static byte[] reverseLocally(byte[] b, String tag) {
    byte[] out = new byte[b.length + tag.length()];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[b.length - 1 - i];
    }
    System.arraycopy(tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, out, b.length, tag.length());
    return out;
  }

  /** A directory of {@code files} files: each the input with its index appended; every third one a duplicate. */
  public static Path tree(Path in, Integer files) throws IOException {
    Path dir = TaskContext.current().scratchDir().resolve("tree");
    byte[] b = Files.readAllBytes(in);
    for (int i = 0; i < files; i++) {
      Path f = dir.resolve("d" + (i % 4)).resolve("f" + i + ".bin");
      Files.createDirectories(f.getParent());
      Files.write(f, i % 3 == 0 ? b : concat(b, ("#" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
    return dir;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A small output derived from an input and a number. */
  public static Path derive(Path in, Integer n) throws IOException {
    Path p = TaskContext.current().scratchDir().resolve("derived-" + n + ".bin");
    Files.write(p, concat(Files.readAllBytes(in), ("/" + n).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    return p;
  }

  /**
   * Holds a borrowed handle: writes a marker so the test knows it runs, then sleeps (bounded) until killed.
   */
  public static Path hold(RayFile handle, String marker) throws IOException, InterruptedException {
    Files.writeString(Path.of(marker), handle.id());
    Thread.sleep(120_000);
    Path p = TaskContext.current().scratchDir().resolve("held.txt");
    Files.writeString(p, handle.id());
    return p;
  }

  /** A step of the failover pipeline: records each run in {@code runs}, takes a little while, derives its output. */
  public static Path step(Path in, String key, String runs) throws IOException, InterruptedException {
    Files.writeString(Path.of(runs).resolve(key + "-" + java.util.UUID.randomUUID()), key);
    Thread.sleep(300);
    Path p = TaskContext.current().scratchDir().resolve(key + ".bin");
    Files.write(p, concat(Files.readAllBytes(in), ("/" + key).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    return p;
  }

  /** The last stage of the failover pipeline: two outputs joined. */
  public static Path join(Path a, Path b, String key, String runs) throws IOException {
    Files.writeString(Path.of(runs).resolve(key + "-" + java.util.UUID.randomUUID()), key);
    Path p = TaskContext.current().scratchDir().resolve(key + ".bin");
    Files.write(p, concat(Files.readAllBytes(a), Files.readAllBytes(b)));
    return p;
  }

  /** A small output from a large input: its length and first bytes. */
  public static Path digest(Path in) throws IOException {
    Path p = TaskContext.current().scratchDir().resolve("digest.txt");
    Files.writeString(p, Files.size(in) + "\n");
    return p;
  }
}
