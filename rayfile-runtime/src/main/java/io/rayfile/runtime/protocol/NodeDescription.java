package io.rayfile.runtime.protocol;

import io.rayfile.api.NodeInfo;
import io.rayfile.runtime.cluster.Wire;
import java.util.Map;

/**
 * What a node says about itself.
 *
 * @param nodeId its stable id (the peer daemon's host id)
 * @param host its host name
 * @param dataAddress its data-plane {@code host:port}
 * @param apiAddress its local API {@code host:port}
 * @param labels region, zone, nodepool
 * @param workers how many tasks it runs at once
 * @param pid its process id in the cluster
 * @param memoryBytes memory its tasks may reserve in all
 */
public record NodeDescription(String nodeId, String host, String dataAddress, String apiAddress,
    Map<String, String> labels, int workers, long pid, long memoryBytes) implements Wire {

  public NodeDescription {
    labels = Map.copyOf(labels);
  }

  public NodeInfo toInfo() {
    return new NodeInfo(nodeId, host, labels, workers);
  }
}
