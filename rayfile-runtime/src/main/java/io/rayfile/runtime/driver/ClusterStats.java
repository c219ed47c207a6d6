package io.rayfile.runtime.driver;

import io.rayfile.runtime.protocol.NodeStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's counters as one driver gathered them.
 *
 * @param nodes each node's counters
 * @param driverHits the driver's own worker-level hits
 * @param driverMisses the driver's own worker-level misses
 */
public record ClusterStats(List<NodeStats> nodes, Map<String, Long> driverHits, Map<String, Long> driverMisses) {

  /** Hits per level over the whole cluster (driver included). */
  public Map<String, Long> hits() {
    Map<String, Long> sum = new LinkedHashMap<>(driverHits);
    nodes.forEach(n -> n.hits().forEach((k, v) -> sum.merge(k, v, Long::sum)));
    return sum;
  }

  /** Pinned bytes over every node. */
  public long pinnedBytes() {
    return nodes.stream().mapToLong(NodeStats::pinnedBytes).sum();
  }
}
