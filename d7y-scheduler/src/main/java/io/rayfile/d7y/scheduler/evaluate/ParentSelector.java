package io.rayfile.d7y.scheduler.evaluate;

import io.rayfile.d7y.scheduler.state.Peer;
import java.time.Instant;
import java.util.List;

/**
 * Picks parents for a child among the peers of its content. Called with the scheduler's lock held; must not keep
 * references to the peers after returning.
 */
public interface ParentSelector {
  /**
   * Every peer of {@code child}'s content that passes the filters, best first (ties broken by peer id so the
   * order is deterministic). The caller applies the locality and quota rules and truncates.
   */
  List<ScoredParent> select(Peer child, Instant now);

  /** Whether {@code p} may serve at all (alive, not failed, not failing too often). */
  boolean healthy(Peer p, Instant now);
}
