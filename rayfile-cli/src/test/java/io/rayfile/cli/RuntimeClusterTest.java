package io.rayfile.cli;

import io.rayfile.runtime.driver.DriverRuntime;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** What every runtime IT shares: a head and nodes as real processes, this JVM as the driver on n0, cleanup. */
abstract class RuntimeClusterTest {
  @TempDir
  Path tmp;

  LocalCluster cluster;
  DriverRuntime rt;

  /** A head and {@code nodes} nodes n0..n(N-1), each started with {@code nodeArgs}; the driver on n0. */
  void start(int nodes, String... nodeArgs) {
    cluster = new LocalCluster(tmp.resolve("cluster"));
    cluster.startHead();
    for (int i = 0; i < nodes; i++) {
      cluster.startNode("n" + i, nodeArgs);
    }
    rt = cluster.driver("n0");
  }

  @AfterEach
  void stop() {
    if (rt != null) {
      rt.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A file of {@code bytes} seeded-random bytes (same size, same bytes) in the test's temp dir. */
  Path random(String name, int bytes) throws IOException {
    Path p = tmp.resolve(name);
    BenchImportCommand.writeRandom(p, bytes);
    return p;
  }
}
