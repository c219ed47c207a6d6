package io.rayfile.d7y.scheduler.state;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A node daemon as the scheduler tracks it: liveness, upload load across all its contents, its peers. Read-only
 * outside this package; mutated by {@link PeerScheduler} under its lock.
 */
public final class Host {
  private HostInfo info;
  private int uploadSlots;
  private int activeUploads;
  private Instant lastSeen;
  private boolean removed;
  private final Set<Peer> peers = new LinkedHashSet<>();

  Host(HostInfo info, int uploadSlots, Instant now) {
    this.info = info;
    this.uploadSlots = uploadSlots;
    this.lastSeen = now;
  }

  public HostInfo info() {
    return info;
  }

  public String id() {
    return info.hostId();
  }

  /** Effective slots: what the host announced, or the default, capped by the scheduler's maximum. */
  public int uploadSlots() {
    return uploadSlots;
  }

  /** Parent-to-child edges out of this host's peers, over all contents. */
  public int activeUploads() {
    return activeUploads;
  }

  public int freeSlots() {
    return Math.max(0, uploadSlots - activeUploads);
  }

  public Instant lastSeen() {
    return lastSeen;
  }

  /** True once the host left or expired: its peers are being dropped and are no parents. */
  public boolean removed() {
    return removed;
  }

  void markRemoved() {
    removed = true;
  }

  Set<Peer> peers() {
    return peers;
  }

  Set<Peer> peersView() {
    return Collections.unmodifiableSet(peers);
  }

  void update(HostInfo info, int uploadSlots, Instant now) {
    this.info = info;
    this.uploadSlots = uploadSlots;
    this.lastSeen = now;
  }

  void touch(Instant now) {
    lastSeen = now;
  }

  void addUpload() {
    activeUploads++;
  }

  void removeUpload() {
    activeUploads = Math.max(0, activeUploads - 1);
  }
}
