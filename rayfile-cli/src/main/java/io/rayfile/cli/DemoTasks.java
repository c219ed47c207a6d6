package io.rayfile.cli;

import io.rayfile.api.TaskContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/** The tasks of {@code rayfile demo} and {@code rayfile bench tasks}; public static, as every task is. */
public final class DemoTasks {
  private DemoTasks() {}

  /** Lists a model directory on the node that runs it: files, bytes, and the config it found. */
  public static Path inspectModel(Path model) throws IOException {
    long files;
    long bytes;
    try (Stream<Path> walk = Files.walk(model)) {
      List<Path> all = walk.filter(Files::isRegularFile).toList();
      files = all.size();
      bytes = 0;
      for (Path p : all) {
        bytes += Files.size(p);
      }
    }
    String config = Files.readString(model.resolve("config.json"), StandardCharsets.UTF_8).strip();
    Path out = TaskContext.current().scratchDir().resolve("inspect-" + TaskContext.current().nodeId() + ".json");
    Files.writeString(out, "{\"node\":\"" + TaskContext.current().nodeId() + "\",\"files\":" + files + ",\"bytes\":"
        + bytes + ",\"config\":" + config + "}\n");
    return out;
  }

  /** Stage 1: the CRC32C of every 64 KiB block of a file, one hex line each. */
  public static Path blockChecksums(Path in) throws IOException {
    Path out = TaskContext.current().scratchDir().resolve(in.getFileName() + ".crc");
    Files.writeString(out, checksums(in));
    return out;
  }

  /** What {@link #blockChecksums} writes, computed anywhere (the demo checks outputs with it). */
  static String checksums(Path in) throws IOException {
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[64 << 10];
    try (InputStream s = Files.newInputStream(in)) {
      for (int n; (n = s.readNBytes(buf, 0, buf.length)) > 0; ) {
        CRC32C crc = new CRC32C();
        crc.update(buf, 0, n);
        sb.append(String.format("%08x%n", crc.getValue()));
      }
    }
    return sb.toString();
  }

  /** Stage 2: merges two checksum lists into one report. */
  public static Path merge(Path a, Path b) throws IOException {
    Path out = TaskContext.current().scratchDir().resolve("merged.txt");
    Files.writeString(out, "# " + a.getFileName() + "\n" + Files.readString(a) + "# " + b.getFileName() + "\n"
        + Files.readString(b));
    return out;
  }

  /** The benchmark's task: reads one file, writes one of the same size (bytes rotated by one). */
  public static Path rotate(Path in) throws IOException {
    byte[] b = Files.readAllBytes(in);
    byte[] out = new byte[b.length];
    if (b.length > 0) {
      System.arraycopy(b, 1, out, 0, b.length - 1);
      out[b.length - 1] = b[0];
    }
    Path p = TaskContext.current().scratchDir().resolve("rotated.bin");
    Files.write(p, out);
    return p;
  }
}
