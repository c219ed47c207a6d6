package io.rayfile.d7y.peer.storage;

import java.util.List;

/**
 * Outcome of one eviction pass.
 *
 * @param evicted contents removed, in eviction order
 * @param freedBytes bytes released
 */
public record EvictionResult(List<ContentId> evicted, long freedBytes) {
  public EvictionResult {
    evicted = List.copyOf(evicted);
  }
}
