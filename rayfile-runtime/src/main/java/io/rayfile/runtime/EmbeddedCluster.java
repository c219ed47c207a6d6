package io.rayfile.runtime;

import io.rayfile.api.RayFileException;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerSettings;
import io.rayfile.d7y.scheduler.SchedulerSettings;
import io.rayfile.runtime.cache.NodeCache;
import io.rayfile.runtime.driver.DriverRuntime;
import io.rayfile.runtime.head.HeadRuntime;
import io.rayfile.runtime.node.NodeRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A whole cluster in one JVM: a head, {@code n} nodes (each its own loopback ports and temporary data directory)
 * and a driver; closing the driver stops everything and deletes the data. For tests and demos
 * ({@link io.rayfile.api.RayFile#local(int)}).
 */
public final class EmbeddedCluster {
  private final HeadRuntime head;
  private final List<NodeRuntime> nodes;
  private final DriverRuntime driver;

  private EmbeddedCluster(HeadRuntime head, List<NodeRuntime> nodes, DriverRuntime driver) {
    this.head = head;
    this.nodes = nodes;
    this.driver = driver;
  }

  public static EmbeddedCluster start(int n) {
    Path root;
    try {
      root = Files.createTempDirectory("rayfile-local-");
    } catch (IOException e) {
      throw new RayFileException(RayFileException.Code.UNAVAILABLE, "cannot create a temporary directory: " + e);
    }
    HeadRuntime head = null;
    List<NodeRuntime> nodes = new ArrayList<>();
    try {
      head = HeadRuntime.start(new HeadRuntime.Settings("127.0.0.1", 0, 0, SchedulerSettings.defaults()));
      for (int i = 0; i < n; i++) {
        PeerSettings peer = PeerSettings.defaults(root.resolve("node-" + i))
            .withApi(new HostPort("127.0.0.1", 0));
        peer = new PeerSettings(peer.store(), peer.api(), peer.evictInterval(), new HostPort("127.0.0.1", 0), "",
            List.of(), peer.upload(), peer.labels(), Optional.of("node-" + i), -1, peer.download());
        nodes.add(NodeRuntime.start(new NodeRuntime.Settings(peer, head.address(), "127.0.0.1", 0)));
      }
      DriverRuntime driver = DriverRuntime.connect(head.address(), Optional.of("node-0"));
      if (!driver.directory().awaitNodes(n, Duration.ofSeconds(30))) {
        throw new RayFileException(RayFileException.Code.UNAVAILABLE, "the embedded nodes did not all register");
      }
      EmbeddedCluster cluster = new EmbeddedCluster(head, nodes, driver);
      driver.onClose(() -> cluster.stop(root));
      return cluster;
    } catch (IOException | InterruptedException e) {
      stopAll(head, nodes);
      throw new RayFileException(RayFileException.Code.UNAVAILABLE, "cannot start a local cluster: " + e, e);
    } catch (RuntimeException e) {
      stopAll(head, nodes);
      throw e;
    }
  }

  public DriverRuntime driver() {
    return driver;
  }

  public List<NodeRuntime> nodes() {
    return nodes;
  }

  public HeadRuntime head() {
    return head;
  }

  private void stop(Path root) {
    stopAll(head, nodes);
    NodeCache.deleteTree(root);
  }

  private static void stopAll(HeadRuntime head, List<NodeRuntime> nodes) {
    nodes.forEach(NodeRuntime::close);
    if (head != null) {
      head.close();
    }
  }
}
