package io.rayfile.runtime.cache;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Hit and miss counters per cache level: a lookup served at level L is a hit there and a miss at every level above. */
public final class LevelCounters {
  private final Map<CacheLevel, LongAdder> hits = new EnumMap<>(CacheLevel.class);
  private final Map<CacheLevel, LongAdder> misses = new EnumMap<>(CacheLevel.class);

  public LevelCounters() {
    for (CacheLevel l : CacheLevel.values()) {
      hits.put(l, new LongAdder());
      misses.put(l, new LongAdder());
    }
  }

  /** Records a lookup served at {@code level}, having missed {@code from} and everything between. */
  public void served(CacheLevel from, CacheLevel level) {
    hits.get(level).increment();
    for (CacheLevel l : CacheLevel.values()) {
      if (l.ordinal() >= from.ordinal() && l.ordinal() < level.ordinal()) {
        misses.get(l).increment();
      }
    }
  }

  /** Records a miss at {@code level} only (the next level is counted by whoever serves it). */
  public void missed(CacheLevel level) {
    misses.get(level).increment();
  }

  /** Lookups served at {@code level}. */
  public long hits(CacheLevel level) {
    return hits.get(level).sum();
  }

  /** Lookups that went past {@code level}. */
  public long misses(CacheLevel level) {
    return misses.get(level).sum();
  }

  public Map<String, Long> hits() {
    return snapshot(hits);
  }

  public Map<String, Long> misses() {
    return snapshot(misses);
  }

  private static Map<String, Long> snapshot(Map<CacheLevel, LongAdder> m) {
    Map<String, Long> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k.key(), v.sum()));
    return out;
  }
}
