package io.rayfile.runtime.driver;

import io.rayfile.api.RayFileException;
import io.rayfile.api.TaskOptions;
import io.rayfile.runtime.cluster.NodeDirectory.Node;
import io.rayfile.runtime.protocol.FileSpec;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the node a task runs on: the one holding the most bytes of its inputs (ties: fewest tasks in flight from
 * this driver, then round robin), or the least loaded one for SPREAD, or the named one.
 */
final class Placement {
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong turn = new AtomicLong();

  /**
   * @param strict false for retries and rebuilds: a NODE placement whose node is gone falls back to locality
   */
  Node choose(List<Node> nodes, TaskOptions options, List<FileSpec> inputs, Locations locations, Set<String> avoid,
      boolean strict) {
    List<Node> fit = nodes.stream().filter(n -> n.description().workers() >= options.cpus()
        && (options.memoryBytes() == 0 || n.description().memoryBytes() >= options.memoryBytes())).toList();
    if (fit.isEmpty()) {
      throw new RayFileException(nodes.isEmpty() ? RayFileException.Code.UNAVAILABLE
          : RayFileException.Code.INVALID_ARGUMENT, nodes.isEmpty() ? "no node in the cluster to run the task on"
          : "no node has " + options.cpus() + " CPUs and " + options.memoryBytes() + " bytes of memory for this task");
    }
    List<Node> allowed = fit.stream().filter(n -> !avoid.contains(n.id())).toList();
    // Every node failed this task once: any is better than none.
    List<Node> candidates = allowed.isEmpty() ? fit : allowed;
    if (options.placement() == TaskOptions.Placement.NODE) {
      String want = options.node().orElseThrow();
      java.util.Optional<Node> named = candidates.stream().filter(n -> n.id().equals(want)).findFirst();
      if (named.isPresent() || strict) {
        return named.orElseThrow(() -> new RayFileException(RayFileException.Code.NOT_FOUND, "no node " + want
            + " in the cluster (nodes: " + nodes.stream().map(Node::id).toList() + ")"));
      }
    }
    long start = turn.getAndIncrement();
    int size = candidates.size();
    List<Node> rotated = java.util.stream.IntStream.range(0, size)
        .mapToObj(i -> candidates.get((int) ((start + i) % size))).toList();
    Comparator<Node> byLoad = Comparator.comparingInt(n -> load(n.id()));
    if (options.placement() != TaskOptions.Placement.LOCALITY && options.placement() != TaskOptions.Placement.NODE
        || inputs.isEmpty()) {
      return rotated.stream().min(byLoad).orElseThrow();
    }
    Comparator<Node> byBytes = Comparator.comparingLong(n -> -locations.bytesOn(n.id(), inputs));
    return rotated.stream().min(byBytes.thenComparing(byLoad)).orElseThrow();
  }

  void started(String nodeId) {
    inFlight.computeIfAbsent(nodeId, k -> new AtomicInteger()).incrementAndGet();
  }

  void ended(String nodeId) {
    inFlight.computeIfAbsent(nodeId, k -> new AtomicInteger()).decrementAndGet();
  }

  private int load(String nodeId) {
    AtomicInteger n = inFlight.get(nodeId);
    return n == null ? 0 : n.get();
  }
}
