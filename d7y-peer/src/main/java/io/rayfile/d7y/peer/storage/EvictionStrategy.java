package io.rayfile.d7y.peer.storage;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Decides which contents go first when the store must free space. The store hands over only contents it may
 * evict (unpinned and not in use), evicts from the front of the returned list until enough space is free, and
 * re-checks each one under its lock before deleting it. TTL expiry is applied by the store before any strategy.
 */
@FunctionalInterface
public interface EvictionStrategy {
  /** Orders {@code candidates}, first to be evicted first. May leave some out (they are then kept). */
  List<ContentInfo> order(Collection<ContentInfo> candidates, Instant now);
}
