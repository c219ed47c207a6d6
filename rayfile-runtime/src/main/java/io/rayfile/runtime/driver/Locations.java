package io.rayfile.runtime.driver;

import io.rayfile.runtime.protocol.FileSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which nodes hold which contents, as far as this driver has seen (puts, task outputs, fetched inputs). */
final class Locations {
  private final Map<String, Set<String>> holders = new ConcurrentHashMap<>();

  void add(String contentId, String nodeId) {
    holders.computeIfAbsent(contentId, k -> ConcurrentHashMap.newKeySet()).add(nodeId);
  }

  Set<String> holders(String contentId) {
    return holders.getOrDefault(contentId, Set.of());
  }

  long bytesOn(String nodeId, List<FileSpec> inputs) {
    long sum = 0;
    for (FileSpec f : inputs) {
      if (holders(f.contentId()).contains(nodeId)) {
        sum += f.size();
      }
    }
    return sum;
  }
}
