package io.rayfile.d7y.peer.storage;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Least recently used first; ties by creation time, then by id, so the order is deterministic. */
public final class LruEvictionStrategy implements EvictionStrategy {
  private static final Comparator<ContentInfo> ORDER = Comparator.comparing(ContentInfo::lastAccess)
      .thenComparing(ContentInfo::created)
      .thenComparing(ContentInfo::id);

  @Override
  public List<ContentInfo> order(Collection<ContentInfo> candidates, Instant now) {
    return candidates.stream().sorted(ORDER).toList();
  }
}
