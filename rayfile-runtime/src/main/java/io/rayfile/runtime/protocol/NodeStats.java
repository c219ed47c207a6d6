package io.rayfile.runtime.protocol;

import io.rayfile.runtime.cluster.Wire;
import java.util.Map;

/**
 * A node's counters.
 *
 * @param nodeId the node
 * @param pinnedBytes bytes of pinned contents in its store
 * @param usedBytes bytes of all contents in its store
 * @param contents number of contents
 * @param liveFiles file objects this node pins on behalf of their owners
 * @param hits per cache level, lookups served there
 * @param misses per cache level, lookups that went further
 * @param tasksRun tasks finished here (successfully or not)
 * @param running tasks running or waiting here now
 */
public record NodeStats(String nodeId, long pinnedBytes, long usedBytes, int contents, int liveFiles,
    Map<String, Long> hits, Map<String, Long> misses, long tasksRun, int running) implements Wire {

  public NodeStats {
    hits = Map.copyOf(hits);
    misses = Map.copyOf(misses);
  }
}
