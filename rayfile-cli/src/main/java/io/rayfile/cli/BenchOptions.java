package io.rayfile.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every benchmark shares: where its scratch data goes and how it reports. */
final class BenchOptions {
  @Option(names = "--dir", description = "Scratch directory (default: the system temp dir). Removed afterwards.")
  Path dir;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Option(names = "--direct-io", description = "Start the nodes with --direct-io (pieces past the page cache).")
  boolean directIo;

  /** A local cluster under {@code root} whose nodes get the options above. */
  LocalCluster cluster(Path root) {
    return new LocalCluster(root, directIo ? List.of("--direct-io") : List.of());
  }

  /** A fresh scratch directory; the caller deletes it with {@link BenchImportCommand#deleteTree}. */
  Path scratch(String name) throws IOException {
    return Files.createTempDirectory(dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : dir,
        "rayfile-bench-" + name + "-");
  }
}
