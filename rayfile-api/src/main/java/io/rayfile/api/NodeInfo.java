package io.rayfile.api;

import java.util.Map;

/**
 * A node of the cluster, as a driver sees it.
 *
 * @param id the node's id (stable across restarts of its daemon)
 * @param host the host it runs on
 * @param labels its labels ({@code region}, {@code zone}, {@code nodepool})
 * @param workers how many tasks it runs at once
 */
public record NodeInfo(String id, String host, Map<String, String> labels, int workers) {
  public NodeInfo {
    labels = Map.copyOf(labels);
  }
}
