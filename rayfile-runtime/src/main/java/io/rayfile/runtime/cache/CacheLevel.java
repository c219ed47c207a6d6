package io.rayfile.runtime.cache;

import java.util.Locale;

/** The levels a lookup goes through, nearest first. */
public enum CacheLevel {
  /** This process already resolved it (in-process map). */
  WORKER,
  /** Already materialized for this job on this node. */
  JOB,
  /** In the node's store. */
  NODE,
  /** Fetched from other peers. */
  PEER,
  /** Fetched from the origin (back to source: the node that created it, or an external URL). */
  ORIGIN;

  /** Lower-case name, as reports print it. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
