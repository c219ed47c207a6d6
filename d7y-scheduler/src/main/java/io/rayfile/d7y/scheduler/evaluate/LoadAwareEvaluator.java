package io.rayfile.d7y.scheduler.evaluate;

import io.rayfile.d7y.scheduler.SchedulerSettings;
import io.rayfile.d7y.scheduler.state.ContentMeta;
import io.rayfile.d7y.scheduler.state.HostInfo;
import io.rayfile.d7y.scheduler.state.Peer;
import io.rayfile.d7y.scheduler.state.PeerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks parents by free upload capacity first, then locality, then seed over normal, then piece progress:
 *
 * <pre>
 * score = 0.4 * load + 0.3 * locality + 0.2 * seed + 0.1 * progress
 * load     = freeSlotRatio * (0.5 + 0.5 * bandwidthRatio)
 * locality = 1 same nodepool | 0.75 same zone | 0.5 same region | 0 elsewhere
 * seed     = 1 holds every piece | 0.5 dedicated seed host still downloading | 0 otherwise
 * progress = finished pieces / piece count (or / the best candidate's count while the size is unknown)
 * </pre>
 *
 * Filters, all required: not the child; not on the child's host; not a descendant of the child (no cycles);
 * not blocklisted by the child; healthy (not failed, host and stream heartbeats fresh, fewer upload failures
 * than the limit); a free upload slot on its host (or already this child's parent); holds a piece the child
 * lacks. docs/scheduling.md is the reference for all of this; keep the two in step.
 */
public final class LoadAwareEvaluator implements ParentSelector {
  static final double W_LOAD = 0.4;
  static final double W_LOCALITY = 0.3;
  static final double W_SEED = 0.2;
  static final double W_PROGRESS = 0.1;

  private final Duration heartbeatTimeout;
  private final int parentFailureLimit;

  public LoadAwareEvaluator(SchedulerSettings settings) {
    this.heartbeatTimeout = settings.heartbeatTimeout();
    this.parentFailureLimit = settings.parentFailureLimit();
  }

  @Override
  public List<ScoredParent> select(Peer child, Instant now) {
    List<Peer> passed = new ArrayList<>();
    for (Peer p : child.content().peers().values()) {
      if (usable(child, p, now)) {
        passed.add(p);
      }
    }
    long maxBandwidth = 0;
    int maxFinished = 0;
    for (Peer p : passed) {
      maxBandwidth = Math.max(maxBandwidth, p.host().info().uploadBandwidth());
      maxFinished = Math.max(maxFinished, p.finishedPieceCount());
    }
    List<ScoredParent> out = new ArrayList<>(passed.size());
    for (Peer p : passed) {
      out.add(new ScoredParent(p, score(child, p, maxBandwidth, maxFinished)));
    }
    out.sort(Comparator.comparingDouble(ScoredParent::score).reversed()
        .thenComparing(s -> s.peer().id()));
    return out;
  }

  /** The filters. Package-private for tests. */
  boolean usable(Peer child, Peer p, Instant now) {
    if (p == child || p.isSource()) { // sources are read through back-to-source only
      return false;
    }
    if (p.host() == child.host() || p.host().id().equals(child.host().id())) {
      return false;
    }
    if (child.blocklist().contains(p.id())) {
      return false;
    }
    if (!healthy(p, now)) {
      return false;
    }
    if (p.host().freeSlots() <= 0 && !child.parents().contains(p)) {
      return false;
    }
    if (!p.hasPieceMissingFrom(child)) {
      return false;
    }
    // Cheapest last: a walk of the child's subtree.
    return !child.hasDescendant(p);
  }

  @Override
  public boolean healthy(Peer p, Instant now) {
    if (p.state() == PeerState.FAILED || p.host().removed()) {
      return false;
    }
    if (p.uploadFailures() >= parentFailureLimit) {
      return false;
    }
    if (now.isAfter(p.host().lastSeen().plus(heartbeatTimeout))) {
      return false;
    }
    return !p.streaming() || !now.isAfter(p.lastSeen().plus(heartbeatTimeout));
  }

  /** The score in [0, 1]. Package-private for tests. */
  double score(Peer child, Peer p, long maxBandwidth, int maxFinished) {
    return W_LOAD * load(child, p, maxBandwidth)
        + W_LOCALITY * locality(child.host().info(), p.host().info())
        + W_SEED * seed(p)
        + W_PROGRESS * progress(p, maxFinished);
  }

  static double load(Peer child, Peer p, long maxBandwidth) {
    int slots = p.host().uploadSlots();
    // A parent already serving this child keeps its slot: do not count it against itself.
    int used = p.host().activeUploads() - (child.parents().contains(p) ? 1 : 0);
    double freeSlotRatio = slots <= 0 ? 0 : Math.max(0, slots - used) / (double) slots;
    long bw = p.host().info().uploadBandwidth();
    double bandwidthRatio = maxBandwidth <= 0 ? 1.0 : (bw <= 0 ? 0.5 : bw / (double) maxBandwidth);
    return freeSlotRatio * (0.5 + 0.5 * bandwidthRatio);
  }

  static double locality(HostInfo child, HostInfo parent) {
    if (same(child.locality().nodepool(), parent.locality().nodepool())) {
      return 1.0;
    }
    if (same(child.locality().zone(), parent.locality().zone())) {
      return 0.75;
    }
    if (same(child.locality().region(), parent.locality().region())) {
      return 0.5;
    }
    return 0.0;
  }

  static double seed(Peer p) {
    if (p.isSeed()) {
      return 1.0;
    }
    return p.host().info().seedHost() ? 0.5 : 0.0;
  }

  static double progress(Peer p, int maxFinished) {
    ContentMeta meta = p.content().meta();
    if (p.isSeed()) {
      return 1.0;
    }
    if (meta != null && meta.pieceCount() > 0) {
      return Math.min(1.0, p.finishedPieceCount() / (double) meta.pieceCount());
    }
    return maxFinished <= 0 ? 0.0 : p.finishedPieceCount() / (double) maxFinished;
  }

  private static boolean same(String a, String b) {
    return !a.isEmpty() && a.equals(b);
  }
}
