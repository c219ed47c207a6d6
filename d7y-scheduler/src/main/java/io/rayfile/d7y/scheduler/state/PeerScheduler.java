package io.rayfile.d7y.scheduler.state;

import io.rayfile.d7y.scheduler.SchedulerErrorCode;
import io.rayfile.d7y.scheduler.SchedulerException;
import io.rayfile.d7y.scheduler.SchedulerSettings;
import io.rayfile.d7y.scheduler.evaluate.LoadAwareEvaluator;
import io.rayfile.d7y.scheduler.evaluate.ParentSelector;
import io.rayfile.d7y.scheduler.evaluate.ScoredParent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's state machine: every peer and host event goes through here, and every answer to a peer comes
 * out of here through its {@link PeerSink}. One lock guards everything (a host's upload load spans contents);
 * decisions are cheap (a scan of one content's peers), so this is not the bottleneck at the scale of one
 * scheduler instance — more instances partition contents by consistent hash.
 *
 * <p>Rules (docs/scheduling.md is the reference): a peer gets parents from its own nodepool when any is usable;
 * else parents from outside if its nodepool has nobody reading the origin and fewer than the crossing quota
 * fetching from outside; else, when no parent is usable at all and the peer can read an origin, back-to-source
 * within the nodepool's origin quota K; else it waits and is re-examined whenever the swarm changes.
 */
public final class PeerScheduler {
  private static final Logger log = LoggerFactory.getLogger(PeerScheduler.class);
  /** Bounds a child's blocklist: a hostile peer cannot grow it without limit. */
  static final int MAX_BLOCKLIST = 1024;
  static final String SEED_PEER_PREFIX = "seed:";

  private final SchedulerSettings settings;
  private final Clock clock;
  private final ParentSelector selector;
  private final SchedulerEvents events;
  private final Map<String, Host> hosts = new HashMap<>();
  private final Map<ContentRef, Content> contents = new HashMap<>();
  /** Peers waiting for a busy holder's upload slot: decided again as soon as any host frees one. */
  private final Set<Peer> slotWaiters = new LinkedHashSet<>();
  /** A host with slot waiters around went from no free slot to one; see {@link #serveSlotWaiters()}. */
  private boolean slotFreed;

  public PeerScheduler(SchedulerSettings settings, Clock clock, ParentSelector selector, SchedulerEvents events) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.selector = Objects.requireNonNull(selector, "selector");
    this.events = Objects.requireNonNull(events, "events");
  }

  /** A scheduler with the {@link LoadAwareEvaluator} and no metrics. */
  public static PeerScheduler create(SchedulerSettings settings, Clock clock) {
    return new PeerScheduler(settings, clock, new LoadAwareEvaluator(settings), SchedulerEvents.NONE);
  }

  public SchedulerSettings settings() {
    return settings;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Announce stream
  // ---------------------------------------------------------------------------------------------------------

  /**
   * A download starts. The first answer goes out through {@code sink} before this returns.
   *
   * @throws SchedulerException INVALID_ARGUMENT for a size that contradicts what is known or pieces out of range;
   *     FAILED_PRECONDITION when the peer id is registered on another open stream
   */
  public synchronized PeerKey register(Registration r, PeerSink sink) {
    Objects.requireNonNull(sink, "sink");
    Instant now = clock.instant();
    Content content = contents.get(r.content());
    boolean created = content == null;
    if (created) {
      content = new Content(r.content());
    }
    if (r.meta() != null) {
      checkMeta(content, r.meta());
    }
    ContentMeta meta = r.meta() != null ? r.meta() : content.meta();
    checkPieces(meta, r.finishedPieces());
    Peer existing = content.peers().get(r.peerId());
    if (existing != null && existing.streaming()) {
      throw new SchedulerException(SchedulerErrorCode.FAILED_PRECONDITION, "peer id '" + r.peerId()
          + "' is already registered for " + r.content() + " on an open stream; use a fresh peer id per download");
    }
    // Everything is valid: mutate.
    Host host = upsertHost(r.host(), now);
    if (created) {
      contents.put(content.ref(), content);
    }
    if (r.meta() != null && content.meta() == null) {
      content.meta(r.meta());
    }
    if (existing != null) {
      removePeer(existing, "replaced");
      contents.putIfAbsent(content.ref(), content);
    }
    Peer peer = new Peer(r.peerId(), content, host, r.hasSource(), r.finishedPieces(), sink, now);
    content.peersMutable().put(peer.id(), peer);
    host.peers().add(peer);
    log.debug("register {} (host {}, nodepool '{}', source={})", peer, host.id(),
        host.info().locality().nodepool(), r.hasSource());
    decide(peer, true);
    serveSlotWaiters();
    return new PeerKey(content.ref(), peer.id());
  }

  /** Pieces landed (from {@code parentPeerId}, or the origin when empty). */
  public synchronized void pieceFinished(PeerKey key, int[] pieceNumbers, String parentPeerId) {
    Peer peer = peer(key);
    touch(peer);
    if (pieceNumbers.length == 0) {
      throw SchedulerException.invalid("piece_finished names no piece; send at least one piece number");
    }
    for (int n : pieceNumbers) {
      checkPiece(peer.content().meta(), n);
    }
    if (peer.state() == PeerState.SUCCEEDED || peer.state() == PeerState.FAILED) {
      return;
    }
    BitSet pieces = peer.piecesMutable();
    boolean wasEmpty = pieces.isEmpty();
    for (int n : pieceNumbers) {
      pieces.set(n);
    }
    if (wasEmpty) {
      // Its first piece makes it a parent: waiting peers may now have one.
      rescheduleWaiting(peer.content());
      serveSlotWaiters();
    }
  }

  /** A piece from {@code parentPeerId} failed: that parent is blocklisted for this child; new answer pushed. */
  public synchronized void pieceFailed(PeerKey key, int pieceNumber, String parentPeerId, String reason) {
    Peer peer = peer(key);
    touch(peer);
    checkPiece(peer.content().meta(), pieceNumber);
    String parentId = parentPeerId == null ? "" : Ids.optional("parent peer id", parentPeerId);
    if (parentId.equals(peer.id())) {
      throw SchedulerException.invalid("a peer cannot report itself as the failing parent");
    }
    events.pieceFailed();
    if (parentId.isEmpty()) {
      return; // an origin read failed: the peer retries the origin itself
    }
    log.debug("{}: piece {} from {} failed: {}", peer, pieceNumber, parentId, reason);
    block(peer, parentId);
    Peer parent = peer.content().peers().get(parentId);
    if (parent != null) {
      parent.uploadFailed();
      removeEdge(parent, peer);
    }
    if (peer.state() == PeerState.RUNNING || peer.state() == PeerState.WAITING) {
      decide(peer, true);
    }
    serveSlotWaiters();
  }

  /** A back-to-source peer learned the content's size. */
  public synchronized void contentMeta(PeerKey key, ContentMeta meta) {
    Peer peer = peer(key);
    touch(peer);
    Content c = peer.content();
    checkMeta(c, meta);
    for (Peer p : c.peers().values()) {
      checkPieces(meta, p.piecesMutable());
    }
    if (c.meta() == null) {
      c.meta(meta);
      rescheduleWaiting(c);
      serveSlotWaiters();
    }
  }

  /** The download finished and verified: the peer is a seed of the content from now on. */
  public synchronized void downloadFinished(PeerKey key, ContentMeta meta) {
    Peer peer = peer(key);
    touch(peer);
    Content c = peer.content();
    if (meta != null) {
      checkMeta(c, meta);
      for (Peer p : c.peers().values()) {
        checkPieces(meta, p.piecesMutable());
      }
      if (c.meta() == null) {
        c.meta(meta);
      }
    }
    if (c.meta() == null) {
      throw SchedulerException.invalid("download_finished for " + c.ref() + " needs the content's size: the "
          + "scheduler does not know it yet, so send meta (content length, piece length, piece count)");
    }
    if (peer.state() == PeerState.SUCCEEDED) {
      return;
    }
    if (peer.state() == PeerState.FAILED) {
      throw new SchedulerException(SchedulerErrorCode.FAILED_PRECONDITION,
          "download of " + c.ref() + " was reported failed; register again with a fresh peer id");
    }
    clearParents(peer);
    peer.crossing(false);
    peer.state(PeerState.SUCCEEDED);
    peer.piecesMutable().set(0, c.meta().pieceCount());
    events.downloadEnded("succeeded");
    log.debug("{} finished", peer);
    rescheduleWaiting(c);
    serveSlotWaiters();
  }

  /** The download failed; its origin turn (if any) passes to a waiting peer, its children get new parents. */
  public synchronized void downloadFailed(PeerKey key, String reason, boolean sourceError) {
    Peer peer = peer(key);
    touch(peer);
    if (peer.state() == PeerState.FAILED) {
      return;
    }
    if (peer.state() == PeerState.SUCCEEDED) {
      throw new SchedulerException(SchedulerErrorCode.FAILED_PRECONDITION,
          "download of " + peer.content().ref() + " was already reported finished");
    }
    log.info("{} failed{}: {}", peer, sourceError ? " reading the origin" : "", reason);
    peer.state(PeerState.FAILED);
    peer.crossing(false);
    clearParents(peer);
    events.downloadEnded("failed");
    orphanChildren(peer);
    rescheduleWaiting(peer.content());
    serveSlotWaiters();
  }

  /** The peer wants new parents, avoiding {@code blocklist}. */
  public synchronized void reschedule(PeerKey key, Collection<String> blocklist) {
    Peer peer = peer(key);
    touch(peer);
    List<String> ids = new ArrayList<>();
    for (String id : blocklist) {
      ids.add(Ids.require("blocklisted peer id", id));
    }
    if (peer.state() == PeerState.SUCCEEDED || peer.state() == PeerState.FAILED) {
      throw new SchedulerException(SchedulerErrorCode.FAILED_PRECONDITION,
          "download of " + peer.content().ref() + " already ended (" + peer.state() + "); nothing to reschedule");
    }
    ids.forEach(id -> block(peer, id));
    if (peer.state() == PeerState.BACK_TO_SOURCE) {
      peer.state(PeerState.WAITING);
    }
    decide(peer, true);
    serveSlotWaiters();
  }

  public synchronized void heartbeat(PeerKey key) {
    touch(peer(key));
  }

  /** The peer leaves the swarm (download cancelled, or the node drops its copy). */
  public synchronized void leave(PeerKey key) {
    removePeer(peer(key), "left");
    serveSlotWaiters();
  }

  /**
   * The peer's stream ended without {@code leave}. A finished peer stays as a parent (alive while its host
   * heartbeats); any other is dropped.
   */
  public synchronized void streamClosed(PeerKey key) {
    Content c = contents.get(key.content());
    Peer peer = c == null ? null : c.peers().get(key.peerId());
    if (peer == null || !peer.streaming()) {
      return;
    }
    if (peer.state() == PeerState.SUCCEEDED) {
      peer.detachSink();
    } else {
      removePeer(peer, "left");
      serveSlotWaiters();
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Hosts and held contents
  // ---------------------------------------------------------------------------------------------------------

  /**
   * A node holds these contents complete (it is a seed of each). With {@code replaceAll}, held copies of this
   * host not listed are forgotten. Refreshes the host's liveness. Returns how many copies were newly recorded.
   */
  public synchronized int announceContents(HostInfo info, List<HeldContent> held, boolean replaceAll) {
    Instant now = clock.instant();
    for (HeldContent h : held) {
      Content c = contents.get(h.content());
      if (c != null) {
        checkMeta(c, h.meta());
      } else {
        checkMetaBounds(h.meta());
      }
    }
    Host host = upsertHost(info, now);
    Set<ContentRef> listed = new LinkedHashSet<>();
    List<Content> touched = new ArrayList<>();
    int accepted = 0;
    for (HeldContent h : held) {
      listed.add(h.content());
      Content c = contents.computeIfAbsent(h.content(), Content::new);
      if (c.meta() == null) {
        c.meta(h.meta());
      }
      touched.add(c);
      if (holderOnHost(c, host) != null) {
        continue;
      }
      String seedId = SEED_PEER_PREFIX + host.id();
      Peer old = c.peers().get(seedId);
      if (old != null) {
        removePeer(old, "replaced");
        contents.putIfAbsent(c.ref(), c);
      }
      BitSet all = new BitSet();
      all.set(0, h.meta().pieceCount());
      Peer seed = new Peer(seedId, c, host, false, all, null, now);
      seed.state(PeerState.SUCCEEDED);
      c.peersMutable().put(seedId, seed);
      host.peers().add(seed);
      accepted++;
    }
    if (replaceAll) {
      for (Peer p : new ArrayList<>(host.peers())) {
        if (!p.streaming() && p.state() == PeerState.SUCCEEDED && !listed.contains(p.content().ref())) {
          removePeer(p, "unregistered");
        }
      }
    }
    for (Content c : touched) {
      if (contents.get(c.ref()) == c) {
        rescheduleWaiting(c);
      }
    }
    serveSlotWaiters();
    return accepted;
  }

  /** A node evicted or deleted these contents: its peers for them are dropped. Returns how many. */
  public synchronized int unregisterContents(String hostId, List<ContentRef> refs) {
    Host host = hosts.get(Ids.require("host id", hostId));
    if (host == null) {
      return 0;
    }
    host.touch(clock.instant());
    int removed = 0;
    for (ContentRef ref : refs) {
      Content c = contents.get(ref);
      if (c == null) {
        continue;
      }
      for (Peer p : new ArrayList<>(c.peers().values())) {
        if (p.host() == host) {
          removePeer(p, "unregistered");
          removed++;
        }
      }
    }
    serveSlotWaiters();
    return removed;
  }

  /** Keeps a host alive; false when the host is unknown (it should announce its contents again). */
  public synchronized boolean hostHeartbeat(String hostId) {
    Host host = hosts.get(Ids.require("host id", hostId));
    if (host == null) {
      return false;
    }
    host.touch(clock.instant());
    return true;
  }

  /** The node shuts down: all its peers go. False when unknown. */
  public synchronized boolean leaveHost(String hostId) {
    Host host = hosts.get(Ids.require("host id", hostId));
    if (host == null) {
      return false;
    }
    removeHost(host, "host_left");
    serveSlotWaiters();
    return true;
  }

  /**
   * Drops hosts and downloading peers silent for longer than the heartbeat timeout, then re-examines every
   * waiting peer (upload slots may have freed up in other contents). The server runs it every sweep interval.
   */
  public synchronized void expire() {
    Instant cutoff = clock.instant().minus(settings.heartbeatTimeout());
    for (Host host : new ArrayList<>(hosts.values())) {
      if (host.lastSeen().isBefore(cutoff)) {
        log.info("host {} expired: no heartbeat since {}", host.id(), host.lastSeen());
        removeHost(host, "expired");
      }
    }
    for (Content c : new ArrayList<>(contents.values())) {
      for (Peer p : new ArrayList<>(c.peers().values())) {
        if (p.streaming() && p.state() != PeerState.SUCCEEDED && p.lastSeen().isBefore(cutoff)
            && c.peers().get(p.id()) == p) {
          log.info("{} expired: no heartbeat since {}", p, p.lastSeen());
          removePeer(p, "expired");
        }
      }
    }
    for (Content c : new ArrayList<>(contents.values())) {
      if (contents.get(c.ref()) == c) {
        rescheduleWaiting(c);
      }
    }
    serveSlotWaiters();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Introspection
  // ---------------------------------------------------------------------------------------------------------

  public synchronized Optional<ContentSnapshot> stat(ContentRef ref) {
    Content c = contents.get(ref);
    if (c == null) {
      return Optional.empty();
    }
    int seeds = 0;
    int b2s = 0;
    int waiting = 0;
    for (Peer p : c.peers().values()) {
      switch (p.state()) {
        case SUCCEEDED -> seeds++;
        case BACK_TO_SOURCE -> b2s++;
        case WAITING -> waiting++;
        default -> { }
      }
    }
    return Optional.of(new ContentSnapshot(ref, c.meta(), c.peers().size(), seeds, b2s, waiting));
  }

  /** The peers of a content in registration order; empty when unknown. */
  public synchronized List<PeerSnapshot> listPeers(ContentRef ref) {
    Content c = contents.get(ref);
    if (c == null) {
      return List.of();
    }
    List<PeerSnapshot> out = new ArrayList<>();
    for (Peer p : c.peers().values()) {
      out.add(new PeerSnapshot(p.id(), p.host().info(), p.state(), p.finishedPieceCount(),
          p.parents().stream().map(Peer::id).toList(), p.children().stream().map(Peer::id).toList(),
          List.copyOf(p.blocklist())));
    }
    return out;
  }

  public synchronized int peerCount() {
    int n = 0;
    for (Content c : contents.values()) {
      n += c.peers().size();
    }
    return n;
  }

  public synchronized int contentCount() {
    return contents.size();
  }

  public synchronized int hostCount() {
    return hosts.size();
  }

  /** Upload edges out of a host; -1 when unknown. For tests and debugging. */
  public synchronized int activeUploads(String hostId) {
    Host h = hosts.get(hostId);
    return h == null ? -1 : h.activeUploads();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Decisions
  // ---------------------------------------------------------------------------------------------------------

  /** Computes, applies and sends an answer; an unchanged "wait" is not sent again unless {@code force}. */
  private void decide(Peer peer, boolean force) {
    boolean wasWaiting = peer.lastAnswer() == Decision.Wait.class;
    Decision d = compute(peer, clock.instant());
    if (!slotWaiters.contains(peer)) {
      peer.slotWaitSince(null);
    }
    if (!force && wasWaiting && d instanceof Decision.Wait) {
      return;
    }
    send(peer, d);
  }

  private void send(Peer peer, Decision d) {
    events.decision(typeOf(d));
    peer.lastAnswer(d.getClass());
    PeerSink sink = peer.sink();
    if (sink != null) {
      sink.send(d);
    }
  }

  static String typeOf(Decision d) {
    if (d instanceof Decision.Parents) {
      return "parents";
    } else if (d instanceof Decision.BackToSource) {
      return "back_to_source";
    } else if (d instanceof Decision.Empty) {
      return "empty";
    } else if (d instanceof Decision.Wait) {
      return "wait";
    }
    return "error";
  }

  private Decision compute(Peer peer, Instant now) {
    slotWaiters.remove(peer);
    Content c = peer.content();
    ContentMeta meta = c.meta();
    if (meta != null && meta.length() == 0) {
      clearParents(peer);
      peer.crossing(false);
      peer.state(PeerState.SUCCEEDED);
      return new Decision.Empty(meta);
    }
    String group = peer.host().info().locality().group();
    List<ScoredParent> all = selector.select(peer, now);
    List<ScoredParent> local = new ArrayList<>();
    for (ScoredParent s : all) {
      if (s.peer().host().info().locality().group().equals(group)) {
        local.add(s);
      }
    }
    String reason;
    if (!local.isEmpty()) {
      peer.crossing(false);
      return assign(peer, local);
    }
    if (!all.isEmpty()) {
      Peer inbound = inbound(c, group, peer);
      if (peer.isCrossing() || (countBackToSource(c, group, peer) == 0
          && countCrossing(c, group, peer) < settings.crossNodepoolPerNodepool())) {
        peer.crossing(true);
        return assign(peer, all);
      }
      reason = "peer " + (inbound == null ? "?" : inbound.id()) + " of nodepool '" + group
          + "' is already bringing this content into the nodepool; waiting for it to have pieces";
    } else if (waitForSlot(c, peer, group, now)) {
      reason = "every peer of nodepool '" + group + "' holding pieces of " + c.ref() + " is busy (no free upload "
          + "slot); waiting for a slot rather than reading the origin again";
    } else if (peer.hasSource() || !sources(c, peer, now).isEmpty()) {
      int b2s = countBackToSource(c, group, peer);
      Peer crossing = firstCrossing(c, group, peer);
      if (b2s < settings.backToSourcePerNodepool() && crossing == null) {
        clearParents(peer);
        peer.crossing(false);
        peer.state(PeerState.BACK_TO_SOURCE);
        return new Decision.BackToSource("no usable parent holds pieces of " + c.ref() + "; origin reader "
            + (b2s + 1) + " of at most " + settings.backToSourcePerNodepool() + " in nodepool '" + group + "'",
            meta, sources(c, peer, now));
      }
      reason = crossing != null
          ? "peer " + crossing.id() + " of nodepool '" + group + "' is fetching this content from outside the "
              + "nodepool; waiting for it"
          : b2s + " peer(s) of nodepool '" + group + "' already read the origin (limit "
              + settings.backToSourcePerNodepool() + "); waiting for their pieces";
    } else if (anyHolder(c, peer)) {
      reason = "every peer holding pieces of " + c.ref() + " is busy (no free upload slot), blocklisted or "
          + "unhealthy, and this peer has no origin; waiting for a parent to free up";
    } else {
      reason = "no peer holds pieces of " + c.ref() + " yet and this peer has no origin; waiting for a seed";
    }
    clearParents(peer);
    peer.crossing(false);
    peer.state(PeerState.WAITING);
    return new Decision.Wait(reason, meta);
  }

  /**
   * True when a holder of the child's nodepool is held back only by its host's upload slots: the child waits for
   * a slot, at most {@code slotWait}, instead of reading the origin. Without this, once a content's first origin
   * reader finished, every child decided while its holders were busy read the origin again (the demo's origin
   * served 1.5 x its model, fanning 361 files out to 3 nodes).
   */
  private boolean waitForSlot(Content c, Peer child, String group, Instant now) {
    if (!busyHolder(c, child, group, now)) {
      return false;
    }
    if (child.slotWaitSince() == null) {
      child.slotWaitSince(now);
    } else if (now.isAfter(child.slotWaitSince().plus(settings.slotWait()))) {
      return false;
    }
    slotWaiters.add(child);
    return true;
  }

  private boolean busyHolder(Content c, Peer child, String group, Instant now) {
    for (Peer p : c.peers().values()) {
      if (p != child && !p.isSource() && p.host() != child.host() && p.host().freeSlots() <= 0
          && p.host().info().locality().group().equals(group) && !child.blocklist().contains(p.id())
          && p.hasPieceMissingFrom(child) && selector.healthy(p, now)) {
        return true;
      }
    }
    return false;
  }

  /** Decides the slot waiters again after a host freed a slot. Public operations call it last. */
  private void serveSlotWaiters() {
    if (!slotFreed) {
      return;
    }
    slotFreed = false;
    for (Peer p : new ArrayList<>(slotWaiters)) {
      if (p.state() == PeerState.WAITING && p.streaming() && p.content().peers().get(p.id()) == p) {
        decide(p, false);
      } else {
        slotWaiters.remove(p);
      }
    }
  }

  /** The content's announced copies a child may read as its origin: healthy, same nodepool first. */
  private List<ParentOffer> sources(Content c, Peer child, Instant now) {
    String group = child.host().info().locality().group();
    List<ParentOffer> local = new ArrayList<>();
    List<ParentOffer> remote = new ArrayList<>();
    for (Peer p : c.peers().values()) {
      if (p.isSource() && p.host() != child.host() && !child.blocklist().contains(p.id())
          && selector.healthy(p, now)) {
        ParentOffer o = new ParentOffer(p.id(), p.host().info(), true, p.finishedPieceCount(), new byte[0], 1.0);
        (p.host().info().locality().group().equals(group) ? local : remote).add(o);
      }
    }
    local.addAll(remote);
    return local;
  }

  private Decision assign(Peer child, List<ScoredParent> ranked) {
    List<ScoredParent> top = ranked.subList(0, Math.min(ranked.size(), settings.candidateParents()));
    Set<Peer> chosen = new LinkedHashSet<>();
    for (ScoredParent s : top) {
      chosen.add(s.peer());
    }
    for (Peer old : new ArrayList<>(child.parents())) {
      if (!chosen.contains(old)) {
        removeEdge(old, child);
      }
    }
    List<ParentOffer> offers = new ArrayList<>(top.size());
    for (ScoredParent s : top) {
      Peer p = s.peer();
      if (!addEdge(p, child)) {
        continue;
      }
      boolean seed = p.isSeed();
      offers.add(new ParentOffer(p.id(), p.host().info(), seed, p.finishedPieceCount(),
          seed ? new byte[0] : p.piecesMutable().toByteArray(), s.score()));
    }
    child.state(PeerState.RUNNING);
    return new Decision.Parents(offers, child.content().meta());
  }

  /** Adds parent -> child unless it would close a cycle; true when the edge exists afterwards. */
  private boolean addEdge(Peer parent, Peer child) {
    if (child.parents().contains(parent)) {
      return true;
    }
    if (parent == child || child.hasDescendant(parent)) {
      log.warn("refused edge {} -> {}: it would close a cycle", parent, child);
      return false;
    }
    parent.childrenMutable().add(child);
    child.parentsMutable().add(parent);
    parent.host().addUpload();
    return true;
  }

  private void removeEdge(Peer parent, Peer child) {
    if (parent.childrenMutable().remove(child)) {
      child.parentsMutable().remove(parent);
      boolean wasFull = parent.host().freeSlots() == 0;
      parent.host().removeUpload();
      slotFreed |= wasFull && !slotWaiters.isEmpty();
    }
  }

  private void clearParents(Peer peer) {
    for (Peer p : new ArrayList<>(peer.parents())) {
      removeEdge(p, peer);
    }
  }

  /** Detaches the children of {@code parent} and gives each a new answer. */
  private void orphanChildren(Peer parent) {
    List<Peer> orphans = new ArrayList<>(parent.children());
    for (Peer child : orphans) {
      removeEdge(parent, child);
    }
    for (Peer child : orphans) {
      if (child.streaming() && child.content().peers().get(child.id()) == child
          && (child.state() == PeerState.RUNNING || child.state() == PeerState.WAITING)) {
        decide(child, true);
      }
    }
  }

  private void rescheduleWaiting(Content c) {
    for (Peer p : new ArrayList<>(c.peers().values())) {
      if (p.state() == PeerState.WAITING && p.streaming() && c.peers().get(p.id()) == p) {
        decide(p, false);
      }
    }
  }

  private static int countBackToSource(Content c, String group, Peer except) {
    int n = 0;
    for (Peer p : c.peers().values()) {
      if (p != except && p.state() == PeerState.BACK_TO_SOURCE && p.host().info().locality().group().equals(group)) {
        n++;
      }
    }
    return n;
  }

  private static int countCrossing(Content c, String group, Peer except) {
    int n = 0;
    for (Peer p : c.peers().values()) {
      if (p != except && p.isCrossing() && p.host().info().locality().group().equals(group)) {
        n++;
      }
    }
    return n;
  }

  private static Peer firstCrossing(Content c, String group, Peer except) {
    for (Peer p : c.peers().values()) {
      if (p != except && p.isCrossing() && p.host().info().locality().group().equals(group)) {
        return p;
      }
    }
    return null;
  }

  private static boolean anyHolder(Content c, Peer except) {
    for (Peer p : c.peers().values()) {
      if (p != except && p.state() != PeerState.FAILED && (p.isSeed() || !p.piecesMutable().isEmpty())) {
        return true;
      }
    }
    return false;
  }

  /** A peer of the group reading the origin or fetching from outside, for log messages. */
  private static Peer inbound(Content c, String group, Peer except) {
    for (Peer p : c.peers().values()) {
      if (p != except && (p.isCrossing() || p.state() == PeerState.BACK_TO_SOURCE)
          && p.host().info().locality().group().equals(group)) {
        return p;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Mutation helpers
  // ---------------------------------------------------------------------------------------------------------

  private Host upsertHost(HostInfo info, Instant now) {
    int slots = info.uploadSlots() == 0 ? settings.defaultUploadSlots()
        : Math.min(info.uploadSlots(), settings.maxUploadSlots());
    Host host = hosts.get(info.hostId());
    if (host == null) {
      host = new Host(info, slots, now);
      hosts.put(info.hostId(), host);
    } else {
      host.update(info, slots, now);
    }
    return host;
  }

  private void removeHost(Host host, String why) {
    hosts.remove(host.id());
    host.markRemoved();
    for (Peer p : new ArrayList<>(host.peers())) {
      removePeer(p, why);
    }
  }

  private void removePeer(Peer peer, String why) {
    Content c = peer.content();
    if (c.peers().get(peer.id()) != peer) {
      return;
    }
    c.peersMutable().remove(peer.id());
    peer.host().peers().remove(peer);
    if (peer.streaming() && ("expired".equals(why) || "host_left".equals(why))) {
      peer.sink().send(new Decision.Failure(SchedulerErrorCode.NOT_FOUND, "peer " + peer.id() + " was dropped ("
          + why + ": no message from it or its host for " + settings.heartbeatTimeout()
          + "); open a new announce stream and register again"));
    }
    peer.detachSink();
    slotWaiters.remove(peer);
    clearParents(peer);
    peer.crossing(false);
    events.peerRemoved(why);
    log.debug("removed {} ({})", peer, why);
    orphanChildren(peer);
    rescheduleWaiting(c);
    if (c.peers().isEmpty()) {
      contents.remove(c.ref());
    }
  }

  private void touch(Peer peer) {
    Instant now = clock.instant();
    peer.touch(now);
    peer.host().touch(now);
  }

  private void block(Peer peer, String id) {
    if (peer.blocklist().size() >= MAX_BLOCKLIST) {
      throw SchedulerException.invalid("blocklist of peer " + peer.id() + " is full (" + MAX_BLOCKLIST
          + " entries); register again with a fresh peer id");
    }
    peer.block(id);
  }

  private Peer peer(PeerKey key) {
    Content c = contents.get(key.content());
    Peer p = c == null ? null : c.peers().get(key.peerId());
    if (p == null || !p.streaming()) {
      throw new SchedulerException(SchedulerErrorCode.NOT_FOUND, "peer " + key.peerId() + " of " + key.content()
          + " is not registered (it left, failed or expired); open a new announce stream and register again");
    }
    return p;
  }

  /** Scans the content's peers (a handful), not the host's (one per content it holds: quadratic over a batch). */
  private static Peer holderOnHost(Content c, Host host) {
    for (Peer p : c.peers().values()) {
      if (p.host() == host && p.state() == PeerState.SUCCEEDED) {
        return p;
      }
    }
    return null;
  }

  private void checkMetaBounds(ContentMeta meta) {
    if (meta.pieceCount() > settings.maxPieceCount()) {
      throw SchedulerException.invalid("content has " + meta.pieceCount() + " pieces; this scheduler accepts at "
          + "most " + settings.maxPieceCount() + " (use a larger piece length)");
    }
  }

  private void checkMeta(Content c, ContentMeta meta) {
    checkMetaBounds(meta);
    if (c.meta() != null && !c.meta().sameLayout(meta)) {
      throw SchedulerException.invalid("size of " + c.ref() + " conflicts with what the scheduler knows: got "
          + meta + ", known " + c.meta());
    }
    if (c.meta() != null) {
      c.meta(c.meta().withKindFrom(meta)); // a later reporter may know what the bytes are
    }
  }

  private void checkPieces(ContentMeta meta, BitSet pieces) {
    int limit = meta != null ? meta.pieceCount() : settings.maxPieceCount();
    if (pieces.length() > limit) {
      throw SchedulerException.invalid("piece " + (pieces.length() - 1) + " is out of range: the content has "
          + (meta != null ? limit + " pieces" : "at most " + limit + " pieces"));
    }
  }

  private void checkPiece(ContentMeta meta, int n) {
    int limit = meta != null ? meta.pieceCount() : settings.maxPieceCount();
    if (n < 0 || n >= limit) {
      throw SchedulerException.invalid("piece number " + n + " is out of range [0, " + limit + ")");
    }
  }
}
