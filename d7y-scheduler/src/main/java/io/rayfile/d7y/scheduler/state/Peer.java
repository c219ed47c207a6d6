package io.rayfile.d7y.scheduler.state;

import java.time.Instant;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One download (or one held copy) of a content on a host. Read-only outside this package; mutated by
 * {@link PeerScheduler} under its lock.
 */
public final class Peer {
  private final String id;
  private final Content content;
  private final Host host;
  private final boolean hasSource;
  private final BitSet pieces;
  private final Set<Peer> parents = new LinkedHashSet<>();
  private final Set<Peer> children = new LinkedHashSet<>();
  private final Set<String> blocklist = new LinkedHashSet<>();
  private PeerState state = PeerState.WAITING;
  private boolean crossing;
  private int uploadFailures;
  private Instant lastSeen;
  private PeerSink sink;
  private Class<? extends Decision> lastAnswer;
  private Instant slotWaitSince;

  Peer(String id, Content content, Host host, boolean hasSource, BitSet pieces, PeerSink sink, Instant now) {
    this.id = id;
    this.content = content;
    this.host = host;
    this.hasSource = hasSource;
    this.pieces = (BitSet) pieces.clone();
    this.sink = sink;
    this.lastSeen = now;
  }

  public String id() {
    return id;
  }

  public Content content() {
    return content;
  }

  public Host host() {
    return host;
  }

  public PeerState state() {
    return state;
  }

  public boolean hasSource() {
    return hasSource;
  }

  /**
   * A copy an ordinary node announced (an upload, or what it kept across a restart): the content's origin. Read
   * only through back-to-source answers, at most K readers per nodepool, never offered as an ordinary parent:
   * otherwise every child would pull its own copy from the origin node. Copies announced by a dedicated seed host
   * ({@code seed_host}) are ordinary parents: such hosts exist to upload.
   */
  public boolean isSource() {
    return id.startsWith(PeerScheduler.SEED_PEER_PREFIX) && !host.info().seedHost();
  }

  /** Holds every piece (finished or announced); such a peer serves the whole content. */
  public boolean isSeed() {
    return state == PeerState.SUCCEEDED;
  }

  /** Fetching from parents outside its nodepool (counts against the nodepool's crossing quota). */
  public boolean isCrossing() {
    return crossing;
  }

  /** Pieces held; a seed holds all of them whatever this says. */
  public int finishedPieceCount() {
    if (isSeed() && content.meta() != null) {
      return content.meta().pieceCount();
    }
    return pieces.cardinality();
  }

  /** A copy of the held pieces' bitmap. */
  public BitSet pieces() {
    return (BitSet) pieces.clone();
  }

  /** True when this peer holds a piece {@code other} lacks. */
  public boolean hasPieceMissingFrom(Peer other) {
    if (isSeed()) {
      return !other.isSeed() && (content.meta() == null || other.pieces.cardinality() < content.meta().pieceCount());
    }
    if (other.isSeed()) {
      return false;
    }
    BitSet mine = (BitSet) pieces.clone();
    mine.andNot(other.pieces);
    return !mine.isEmpty();
  }

  public Set<Peer> parents() {
    return Collections.unmodifiableSet(parents);
  }

  public Set<Peer> children() {
    return Collections.unmodifiableSet(children);
  }

  public Set<String> blocklist() {
    return Collections.unmodifiableSet(blocklist);
  }

  public int uploadFailures() {
    return uploadFailures;
  }

  public Instant lastSeen() {
    return lastSeen;
  }

  /** True while a stream is attached (a downloading peer); a held copy without stream lives by its host. */
  public boolean streaming() {
    return sink != null;
  }

  /** True when {@code other} is reachable from this peer along parent-to-child edges (this peer excluded). */
  public boolean hasDescendant(Peer other) {
    java.util.ArrayDeque<Peer> todo = new java.util.ArrayDeque<>(children);
    Set<Peer> seen = new java.util.HashSet<>();
    while (!todo.isEmpty()) {
      Peer p = todo.poll();
      if (p == other) {
        return true;
      }
      if (seen.add(p)) {
        todo.addAll(p.children);
      }
    }
    return false;
  }

  // --- mutation, package-private ---

  BitSet piecesMutable() {
    return pieces;
  }

  Set<Peer> parentsMutable() {
    return parents;
  }

  Set<Peer> childrenMutable() {
    return children;
  }

  void block(String peerId) {
    blocklist.add(peerId);
  }

  void state(PeerState s) {
    state = s;
  }

  void crossing(boolean c) {
    crossing = c;
  }

  void uploadFailed() {
    uploadFailures++;
  }

  void touch(Instant now) {
    lastSeen = now;
  }

  PeerSink sink() {
    return sink;
  }

  void detachSink() {
    sink = null;
  }

  /** When this peer began waiting for a busy holder's upload slot; null when it is not waiting for one. */
  Instant slotWaitSince() {
    return slotWaitSince;
  }

  void slotWaitSince(Instant t) {
    slotWaitSince = t;
  }

  Class<? extends Decision> lastAnswer() {
    return lastAnswer;
  }

  void lastAnswer(Class<? extends Decision> c) {
    lastAnswer = c;
  }

  @Override
  public String toString() {
    return "Peer[" + id + "@" + host.id() + " " + state + " " + content.ref() + "]";
  }
}
