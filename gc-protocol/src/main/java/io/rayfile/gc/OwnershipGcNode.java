package io.rayfile.gc;

import io.rayfile.gc.GcEffect.Accepted;
import io.rayfile.gc.GcEffect.Freed;
import io.rayfile.gc.GcEffect.Lost;
import io.rayfile.gc.GcEffect.Rejected;
import io.rayfile.gc.GcMessage.Pass;
import io.rayfile.gc.GcMessage.PassAck;
import io.rayfile.gc.GcMessage.Query;
import io.rayfile.gc.GcMessage.Register;
import io.rayfile.gc.GcMessage.RegisterReply;
import io.rayfile.gc.GcMessage.ReleaseAck;
import io.rayfile.gc.GcMessage.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link GcNode} by ownership reference counting with owner-registered borrows.
 *
 * <p>The owner of a file counts local handles, task arguments, passes in flight and borrowers. A borrower counts
 * its own handles, task arguments and passes in flight, and tells the owner when it reaches zero. It differs from
 * Ray's protocol in one place, on purpose: a process that receives a handle from a <em>borrower</em> registers
 * with the owner before its application may use the handle, and only then acknowledges the pass; the sender keeps
 * counting the pass until that acknowledgement. So the owner always knows every holder directly, and a borrower's
 * release never has to carry its sub-borrowers. Ray's "report sub-borrowers on release" loses them when the
 * intermediate borrower dies before reporting, and the owner then frees a file a live process holds; here that
 * crash is harmless. Passes from the owner itself, the common case of task arguments, need no registration.
 *
 * <p>See {@code docs/gc-protocol.md} for the message flow, the failure cases and the invariants.
 */
public final class OwnershipGcNode implements GcNode {

  private final ProcessId self;
  private final GcSettings settings;
  private final long interval;

  /** Counters of the files owned here. */
  private final OwnedTable owned;
  /** Rare owner state, only for owned files that have borrowers, passes in flight or a lifetime pin. */
  private final Map<FileId, OwnedExtras> extras = new HashMap<>();
  /** Files held here but owned elsewhere. */
  private final Map<FileId, Borrowed> borrowed = new LinkedHashMap<>();
  /** Passes sent from here, not yet acknowledged. */
  private final Map<PassKey, OutPass> outPasses = new LinkedHashMap<>();
  /** (file, task) pairs counted as task arguments, so that a repeated submit or finish counts once. */
  private final Set<TaskArg> taskArgs = new HashSet<>();
  /** Next sequence number per destination, for Pass and Register. */
  private final Map<ProcessId, Long> nextSeq = new HashMap<>();
  /** Sequence numbers seen per sender, so a duplicated Pass or Register acts once. */
  private final Map<ProcessId, SeqWindow> seen = new HashMap<>();
  /** Processes membership declared dead; never forgotten, because ids are never reused. */
  private final Set<ProcessId> dead = new HashSet<>();
  private final Set<JobId> endedJobs = new HashSet<>();

  /**
   * This process's version clock: advanced at every borrow registration and release, so "state at version v"
   * orders all of this process's reports about any file, also across forgetting and re-borrowing it.
   */
  private long clock;
  /** Latest time passed in; stamps re-send timers for calls that take no time. */
  private long lastNow;

  /**
   * Creates the state machine of one process.
   *
   * @param self this process
   * @param settings cluster-wide settings
   */
  public OwnershipGcNode(ProcessId self, GcSettings settings) {
    this(self, settings, 1024);
  }

  /**
   * Creates the state machine of one process, sized for {@code expectedOwnedFiles}.
   *
   * @param self this process
   * @param settings cluster-wide settings
   * @param expectedOwnedFiles how many files this process is expected to own at once (a sizing hint)
   */
  public OwnershipGcNode(ProcessId self, GcSettings settings, int expectedOwnedFiles) {
    this.self = Objects.requireNonNull(self, "self");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.interval = settings.retryIntervalMillis();
    this.owned = new OwnedTable(expectedOwnedFiles);
  }

  @Override
  public ProcessId self() {
    return self;
  }

  // ---------------------------------------------------------------- local events

  @Override
  public Output create(FileId file, Lifetime lifetime, long now) {
    Objects.requireNonNull(lifetime, "lifetime");
    lastNow = now;
    if (owned.find(file.value()) >= 0 || borrowed.containsKey(file)) {
      throw new IllegalStateException(file + " is already known at " + self + "; file ids must be unique");
    }
    if (lifetime.kind() == Lifetime.Kind.OWNER || self.equals(settings.anchor())) {
      int slot = owned.insert(file.value());
      owned.local(slot, 1);
      if (lifetime.kind() != Lifetime.Kind.OWNER) {
        pin(file, slot, lifetime, now);
      }
      return Output.NONE;
    }
    // Job/detached file made on a worker: the anchor owns it, we are its first borrower once adopted.
    Emitter out = new Emitter();
    Borrowed b = new Borrowed(settings.anchor());
    b.state = BorrowState.PENDING;
    b.local = 1;
    b.version = ++clock;
    b.registerSeq = nextSeq(b.owner);
    b.adopt = lifetime;
    b.lastSent = now;
    borrowed.put(file, b);
    out.send(new Register(file, self, b.owner, b.registerSeq, b.version, lifetime));
    return out.done();
  }

  @Override
  public Output addLocalRef(FileId file) {
    int slot = owned.find(file.value());
    if (slot >= 0) {
      owned.local(slot, owned.local(slot) + 1);
      return Output.NONE;
    }
    Borrowed b = borrowed.get(file);
    if (b == null || b.local == 0) {
      throw new IllegalStateException(self + " holds no handle to " + file + " to copy");
    }
    b.local++;
    return Output.NONE;
  }

  @Override
  public Output removeLocalRef(FileId file) {
    int slot = owned.find(file.value());
    if (slot >= 0) {
      int n = owned.local(slot);
      if (n == 0) {
        throw new IllegalStateException(self + " drops more handles to " + file + " than it holds");
      }
      owned.local(slot, n - 1);
      if (n == 1 && owned.tasks(slot) == 0 && !owned.hasExtras(slot)) {
        owned.removeAt(slot);
        return new Output(List.of(), List.of(new Freed(file)));
      }
      return Output.NONE;
    }
    Borrowed b = borrowed.get(file);
    if (b == null) {
      return Output.NONE; // voided by Lost
    }
    if (b.local == 0) {
      throw new IllegalStateException(self + " drops more handles to " + file + " than it holds");
    }
    b.local--;
    if (b.count() > 0) {
      return Output.NONE;
    }
    Emitter out = new Emitter();
    maybeRelease(file, b, out);
    return out.done();
  }

  @Override
  public Output taskSubmitted(FileId file, TaskId task) {
    int slot = owned.find(file.value());
    Borrowed b = slot >= 0 ? null : borrowed.get(file);
    if (slot < 0 && (b == null || b.local == 0)) {
      throw new IllegalStateException(self + " holds no handle to " + file + " to pass to " + task);
    }
    if (taskArgs.add(new TaskArg(file, task))) {
      if (slot >= 0) {
        owned.tasks(slot, owned.tasks(slot) + 1);
      } else {
        b.tasks++;
      }
    }
    return Output.NONE;
  }

  @Override
  public Output taskFinished(FileId file, TaskId task) {
    if (!taskArgs.remove(new TaskArg(file, task))) {
      return Output.NONE;
    }
    Emitter out = new Emitter();
    int slot = owned.find(file.value());
    if (slot >= 0) {
      owned.tasks(slot, owned.tasks(slot) - 1);
      maybeFree(file, out);
    } else {
      Borrowed b = borrowed.get(file);
      if (b != null) {
        b.tasks--;
        maybeRelease(file, b, out);
      }
    }
    return out.done();
  }

  @Override
  public Output passTo(FileId file, ProcessId to, long now) {
    lastNow = now;
    if (to.equals(self)) {
      throw new IllegalArgumentException(self + " cannot pass " + file + " to itself");
    }
    int slot = owned.find(file.value());
    Borrowed b = slot >= 0 ? null : borrowed.get(file);
    if (slot < 0 && (b == null || b.local == 0)) {
      throw new IllegalStateException(self + " holds no handle to " + file + " to pass to " + to);
    }
    if (dead.contains(to)) {
      return Output.NONE; // nobody to receive it; nothing to count
    }
    long seq = nextSeq(to);
    outPasses.put(new PassKey(to, seq), new OutPass(file, now));
    Emitter out = new Emitter();
    if (slot >= 0) {
      // The receiver is tracked from now on, with this pass counted, so that what it reports later (maybe
      // before this pass is acknowledged) is ordered against what its acknowledgement says.
      OwnedExtras x = extrasFor(file, slot);
      Tracked t = x.borrowers.get(to);
      if (t == null) {
        x.track(to, t = new Tracked(0, false, now));
      }
      t.passes++;
      out.send(new Pass(file, self, self, to, seq));
    } else {
      b.inFlight++;
      if (b.state == BorrowState.HELD) {
        out.send(new Pass(file, b.owner, self, to, seq));
      }
      // PENDING (not adopted yet): held back; sent when the anchor replies, else a receiver would be told
      // "gone" by an anchor that has not heard of the file yet.
    }
    return out.done();
  }

  // ---------------------------------------------------------------- messages

  @Override
  public Output receive(GcMessage message, long now) {
    lastNow = now;
    if (!message.to().equals(self)) {
      throw new IllegalArgumentException(message + " is addressed to " + message.to() + ", not " + self);
    }
    if (dead.contains(message.from())) {
      return Output.NONE; // a dead process holds nothing and its in-flight passes are void
    }
    Emitter out = new Emitter();
    if (message instanceof Pass m) {
      onPass(m, now, out);
    } else if (message instanceof PassAck m) {
      onPassAck(m, now, out);
    } else if (message instanceof Register m) {
      onRegister(m, now, out);
    } else if (message instanceof RegisterReply m) {
      onRegisterReply(m, now, out);
    } else if (message instanceof Status m) {
      onStatus(m, now, out);
    } else if (message instanceof ReleaseAck m) {
      Borrowed b = borrowed.get(m.file());
      if (b != null && b.state == BorrowState.RELEASED && b.version == m.version()) {
        borrowed.remove(m.file());
      }
    } else if (message instanceof Query m) {
      Borrowed b = borrowed.get(m.file());
      out.send(new Status(m.file(), self, m.from(), holding(b), versionOf(b)));
    }
    return out.done();
  }

  private void onPass(Pass p, long now, Emitter out) {
    FileId file = p.file();
    Borrowed b = borrowed.get(file);
    if (!seen.computeIfAbsent(p.from(), k -> new SeqWindow()).add(p.seq())) {
      // Duplicate: acted on already. Re-acknowledge (the first ack may be lost), unless still registering it.
      if (b != null && b.state == BorrowState.PENDING && b.pending.contains(new Incoming(p.from(), p.seq()))) {
        return;
      }
      out.send(ackFor(p, b));
      return;
    }
    if (p.owner().equals(self)) { // our own file coming back
      int slot = owned.find(file.value());
      if (slot < 0) {
        reject(p, out);
      } else {
        owned.local(slot, owned.local(slot) + 1);
        out.send(new PassAck(file, self, p.from(), p.seq(), true, clock));
        out.effect(new Accepted(file, p.from(), p.seq()));
      }
      return;
    }
    if (dead.contains(p.owner())) {
      reject(p, out);
      return;
    }
    if (b != null && b.state == BorrowState.HELD) {
      // The owner already counts us, and cannot stop before we release, which needs this handle dropped too.
      b.local++;
      out.send(ackFor(p, b));
      out.effect(new Accepted(file, p.from(), p.seq()));
      return;
    }
    if (b != null && b.state == BorrowState.PENDING) {
      b.pending.add(new Incoming(p.from(), p.seq()));
      return;
    }
    if (b == null) {
      b = new Borrowed(p.owner());
      borrowed.put(file, b);
    }
    if (p.from().equals(p.owner())) {
      // The owner counts this pass as in flight until our ack, which tells it we hold at this version.
      b.state = BorrowState.HELD;
      b.version = ++clock;
      b.local++;
      out.send(ackFor(p, b));
      out.effect(new Accepted(file, p.from(), p.seq()));
      return;
    }
    // From a borrower: get counted by the owner first; the sender keeps counting its pass until we ack.
    b.state = BorrowState.PENDING;
    b.version = ++clock;
    b.registerSeq = nextSeq(b.owner);
    b.adopt = null;
    b.lastSent = now;
    b.pending.add(new Incoming(p.from(), p.seq()));
    out.send(new Register(file, self, b.owner, b.registerSeq, b.version, null));
  }

  private PassAck ackFor(Pass p, Borrowed b) {
    if (p.owner().equals(self)) {
      return new PassAck(p.file(), self, p.from(), p.seq(), true, clock);
    }
    return new PassAck(p.file(), self, p.from(), p.seq(), holding(b), versionOf(b));
  }

  private void reject(Pass p, Emitter out) {
    Borrowed b = borrowed.get(p.file());
    out.send(new PassAck(p.file(), self, p.from(), p.seq(), holding(b), versionOf(b)));
    out.effect(new Rejected(p.file(), p.from(), p.seq()));
  }

  private void onPassAck(PassAck a, long now, Emitter out) {
    OutPass op = outPasses.remove(new PassKey(a.from(), a.seq()));
    if (op == null) {
      return; // duplicate
    }
    FileId file = op.file;
    int slot = owned.find(file.value());
    if (slot >= 0) {
      OwnedExtras x = extras.get(file);
      Tracked t = x.borrowers.get(a.from());
      t.passes--;
      applyStatus(x, a.from(), a.holding(), a.version(), now);
      cleanUp(file, x, out);
      return;
    }
    Borrowed b = borrowed.get(file);
    if (b != null) {
      b.inFlight--;
      maybeRelease(file, b, out);
    }
  }

  private void onRegister(Register r, long now, Emitter out) {
    FileId file = r.file();
    boolean fresh = seen.computeIfAbsent(r.from(), k -> new SeqWindow()).add(r.seq());
    int slot = owned.find(file.value());
    if (!fresh) {
      // Acted on already; the answer is recomputed. A borrower no longer registering ignores it.
      out.send(new RegisterReply(file, self, r.from(), r.version(), slot >= 0));
      return;
    }
    if (slot < 0) {
      if (r.adopt() == null || !self.equals(settings.anchor())) {
        out.send(new RegisterReply(file, self, r.from(), r.version(), false)); // freed: the handle is void
        return;
      }
      slot = owned.insert(file.value());
      if (r.adopt().kind() != Lifetime.Kind.OWNER) {
        pin(file, slot, r.adopt(), now);
      }
    }
    OwnedExtras x = extrasFor(file, slot);
    Tracked t = x.borrowers.get(r.from());
    if (t == null) {
      x.track(r.from(), new Tracked(r.version(), true, now));
    } else if (r.version() >= t.floor) {
      t.floor = r.version();
      t.holding = true;
      t.lastHeard = now;
    }
    out.send(new RegisterReply(file, self, r.from(), r.version(), true));
  }

  private void onRegisterReply(RegisterReply rr, long now, Emitter out) {
    FileId file = rr.file();
    Borrowed b = borrowed.get(file);
    if (b == null || b.state != BorrowState.PENDING || b.version != rr.version()) {
      return; // stale or duplicate
    }
    if (!rr.known()) {
      borrowed.remove(file);
      for (Incoming in : b.pending) {
        out.send(new PassAck(file, self, in.from, in.seq, false, clock));
        out.effect(new Rejected(file, in.from, in.seq));
      }
      if (b.local > 0 || b.tasks > 0) {
        out.effect(new Lost(file));
      }
      dropPassesOf(file);
      return;
    }
    b.state = BorrowState.HELD;
    for (Incoming in : b.pending) {
      b.local++;
      out.send(new PassAck(file, self, in.from, in.seq, true, b.version));
      out.effect(new Accepted(file, in.from, in.seq));
    }
    b.pending.clear();
    if (b.inFlight > 0) { // passes held back while the anchor had not adopted the file
      for (Map.Entry<PassKey, OutPass> e : outPasses.entrySet()) {
        if (e.getValue().file.equals(file)) {
          e.getValue().lastSent = now;
          out.send(new Pass(file, b.owner, self, e.getKey().to, e.getKey().seq));
        }
      }
    }
    maybeRelease(file, b, out);
  }

  private void onStatus(Status s, long now, Emitter out) {
    FileId file = s.file();
    if (owned.find(file.value()) < 0) {
      if (!s.holding()) {
        out.send(new ReleaseAck(file, self, s.from(), s.version()));
      }
      return;
    }
    OwnedExtras x = extras.get(file);
    if (x != null) {
      applyStatus(x, s.from(), s.holding(), s.version(), now);
    }
    if (!s.holding()) {
      out.send(new ReleaseAck(file, self, s.from(), s.version()));
    }
    if (x != null) {
      cleanUp(file, x, out);
    }
  }

  /**
   * Applies a borrower's reported state if it is not older than what we know. Reports from untracked processes
   * are ignored: any holder we do not track is covered by a pass its sender still counts (and will register, or
   * be acknowledged to us, before that sender stops counting it).
   */
  private static void applyStatus(OwnedExtras x, ProcessId from, boolean holding, long version, long now) {
    Tracked t = x.borrowers.get(from);
    if (t == null) {
      return;
    }
    if (version >= t.floor) {
      t.floor = version;
      t.holding = holding;
      t.lastHeard = now;
    }
    if (!t.holding && t.passes == 0) {
      x.borrowers.remove(from);
    }
  }

  // ---------------------------------------------------------------- membership, time, lifetimes

  @Override
  public Output memberDied(ProcessId process, long now) {
    lastNow = now;
    if (process.equals(self) || !dead.add(process)) {
      return Output.NONE;
    }
    seen.remove(process);
    nextSeq.remove(process);
    Emitter out = new Emitter();
    Set<FileId> touched = new HashSet<>();
    for (Iterator<Map.Entry<PassKey, OutPass>> it = outPasses.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<PassKey, OutPass> e = it.next();
      if (e.getKey().to.equals(process)) {
        it.remove();
        FileId file = e.getValue().file;
        if (owned.find(file.value()) < 0) {
          borrowed.get(file).inFlight--; // owner side: the borrower entry goes below, passes and all
        }
        touched.add(file);
      }
    }
    for (Map.Entry<FileId, OwnedExtras> e : extras.entrySet()) {
      if (e.getValue().borrowers.remove(process) != null) {
        touched.add(e.getKey());
      }
    }
    for (Iterator<Map.Entry<FileId, Borrowed>> it = borrowed.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<FileId, Borrowed> e = it.next();
      Borrowed b = e.getValue();
      if (!b.owner.equals(process)) {
        continue;
      }
      // Fate-sharing: the owner's death voids every handle to its files.
      FileId file = e.getKey();
      it.remove();
      touched.remove(file);
      if (b.state != BorrowState.RELEASED) {
        out.effect(new Lost(file));
      }
      for (Incoming in : b.pending) {
        out.send(new PassAck(file, self, in.from, in.seq, false, clock));
        out.effect(new Rejected(file, in.from, in.seq));
      }
      dropPassesOf(file);
      taskArgs.removeIf(a -> a.file.equals(file));
    }
    for (FileId file : touched) {
      if (owned.find(file.value()) >= 0) {
        OwnedExtras x = extras.get(file);
        if (x != null) {
          cleanUp(file, x, out);
        }
      } else {
        Borrowed b = borrowed.get(file);
        if (b != null) {
          maybeRelease(file, b, out);
        }
      }
    }
    return out.done();
  }

  @Override
  public Output tick(long now) {
    lastNow = now;
    Emitter out = new Emitter();
    List<FileId> expired = new ArrayList<>();
    for (Map.Entry<FileId, OwnedExtras> e : extras.entrySet()) {
      OwnedExtras x = e.getValue();
      if (x.pinned && now >= x.expiry) {
        expired.add(e.getKey());
      }
      for (Map.Entry<ProcessId, Tracked> t : x.borrowers.entrySet()) {
        if (t.getValue().holding && now - t.getValue().lastHeard >= interval) {
          t.getValue().lastHeard = now;
          out.send(new Query(e.getKey(), self, t.getKey()));
        }
      }
    }
    for (FileId file : expired) {
      unpin(file, out);
    }
    for (Map.Entry<PassKey, OutPass> e : outPasses.entrySet()) {
      OutPass op = e.getValue();
      if (now - op.lastSent < interval) {
        continue;
      }
      ProcessId owner;
      if (owned.find(op.file.value()) >= 0) {
        owner = self;
      } else {
        Borrowed b = borrowed.get(op.file);
        if (b.state != BorrowState.HELD) {
          continue;
        }
        owner = b.owner;
      }
      op.lastSent = now;
      out.send(new Pass(op.file, owner, self, e.getKey().to, e.getKey().seq));
    }
    for (Map.Entry<FileId, Borrowed> e : borrowed.entrySet()) {
      Borrowed b = e.getValue();
      if (now - b.lastSent < interval) {
        continue;
      }
      if (b.state == BorrowState.PENDING) {
        b.lastSent = now;
        out.send(new Register(e.getKey(), self, b.owner, b.registerSeq, b.version, b.adopt));
      } else if (b.state == BorrowState.RELEASED) {
        b.lastSent = now;
        out.send(new Status(e.getKey(), self, b.owner, false, b.version));
      }
    }
    return out.done();
  }

  @Override
  public Output jobEnded(JobId job, long now) {
    lastNow = now;
    endedJobs.add(job);
    Emitter out = new Emitter();
    List<FileId> ending = new ArrayList<>();
    for (Map.Entry<FileId, OwnedExtras> e : extras.entrySet()) {
      OwnedExtras x = e.getValue();
      if (x.pinned && x.lifetime.kind() == Lifetime.Kind.JOB && x.lifetime.job().equals(job)) {
        ending.add(e.getKey());
      }
    }
    for (FileId file : ending) {
      unpin(file, out);
    }
    return out.done();
  }

  @Override
  public Output release(FileId file, long now) {
    lastNow = now;
    OwnedExtras x = extras.get(file);
    if (x == null || !x.pinned) {
      return Output.NONE;
    }
    Emitter out = new Emitter();
    unpin(file, out);
    return out.done();
  }

  @Override
  public int ownedCount() {
    return owned.size();
  }

  @Override
  public int borrowedCount() {
    return borrowed.size();
  }

  @Override
  public int passesInFlight() {
    return outPasses.size();
  }

  @Override
  public String toString() {
    return "OwnershipGcNode[" + self + ", owned=" + owned.size() + ", borrowed=" + borrowed.keySet()
        + ", inFlight=" + outPasses.keySet() + "]";
  }

  // ---------------------------------------------------------------- internals

  private void pin(FileId file, int slot, Lifetime lifetime, long now) {
    if (lifetime.kind() == Lifetime.Kind.JOB && endedJobs.contains(lifetime.job())) {
      return; // adopted after its job ended: nothing left to wait for
    }
    OwnedExtras x = extrasFor(file, slot);
    x.lifetime = lifetime;
    x.pinned = true;
    x.expiry = lifetime.ttlMillis() > 0 ? now + lifetime.ttlMillis() : Long.MAX_VALUE;
  }

  private void unpin(FileId file, Emitter out) {
    OwnedExtras x = extras.get(file);
    x.pinned = false;
    cleanUp(file, x, out);
  }

  private OwnedExtras extrasFor(FileId file, int slot) {
    OwnedExtras x = extras.get(file);
    if (x == null) {
      x = new OwnedExtras();
      extras.put(file, x);
      owned.extras(slot, true);
    }
    return x;
  }

  /** Drops the side entry once it says nothing, then frees the file if nothing else holds it. */
  private void cleanUp(FileId file, OwnedExtras x, Emitter out) {
    if (x.borrowers.isEmpty() && !x.pinned) {
      extras.remove(file);
      int slot = owned.find(file.value());
      owned.extras(slot, false);
    }
    maybeFree(file, out);
  }

  private void maybeFree(FileId file, Emitter out) {
    int slot = owned.find(file.value());
    if (slot >= 0 && owned.local(slot) == 0 && owned.tasks(slot) == 0 && !owned.hasExtras(slot)) {
      owned.removeAt(slot);
      out.effect(new Freed(file));
    }
  }

  private void maybeRelease(FileId file, Borrowed b, Emitter out) {
    if (b.state != BorrowState.HELD || b.count() > 0) {
      return;
    }
    b.state = BorrowState.RELEASED;
    b.version = ++clock;
    b.lastSent = lastNow;
    out.send(new Status(file, self, b.owner, false, b.version));
  }

  private void dropPassesOf(FileId file) {
    outPasses.values().removeIf(op -> op.file.equals(file));
  }

  private long nextSeq(ProcessId to) {
    return nextSeq.merge(to, 1L, Long::sum);
  }

  private static boolean holding(Borrowed b) {
    return b != null && b.state != BorrowState.RELEASED;
  }

  /** The version of our current state: a record's own, or "now" when we know nothing of the file. */
  private long versionOf(Borrowed b) {
    return b != null ? b.version : clock;
  }

  private enum BorrowState {
    /** Waiting for the owner to count us (RegisterReply); answers "holding" meanwhile. */
    PENDING,
    /** Counted by the owner. */
    HELD,
    /** Reached zero; release sent, waiting for ReleaseAck. */
    RELEASED
  }

  private static final class Borrowed {
    final ProcessId owner;
    BorrowState state;
    int local;
    int tasks;
    int inFlight;
    /** Version of the current state (registration, or release). */
    long version;
    long registerSeq;
    Lifetime adopt;
    long lastSent;
    /** Passes received while registering: acknowledged, and given to the application, once counted. */
    final List<Incoming> pending = new ArrayList<>(1);

    Borrowed(ProcessId owner) {
      this.owner = owner;
    }

    int count() {
      return local + tasks + inFlight;
    }
  }

  private static final class OwnedExtras {
    /**
     * Borrowers, and receivers of our passes not yet acknowledged. Allocated on first use: a million files that
     * only carry a lifetime pin should not pay for a million empty maps.
     */
    Map<ProcessId, Tracked> borrowers = Collections.emptyMap();

    void track(ProcessId borrower, Tracked t) {
      if (borrowers.isEmpty()) {
        borrowers = new LinkedHashMap<>(4);
      }
      borrowers.put(borrower, t);
    }
    Lifetime lifetime = Lifetime.owner();
    boolean pinned;
    long expiry = Long.MAX_VALUE;
  }

  /**
   * A borrower as the owner sees it: counted while it holds (by its newest report) or a pass to it is
   * unacknowledged.
   */
  private static final class Tracked {
    /** Version of the newest report acted on; older reports are stale. */
    long floor;
    boolean holding;
    int passes;
    long lastHeard;

    Tracked(long floor, boolean holding, long lastHeard) {
      this.floor = floor;
      this.holding = holding;
      this.lastHeard = lastHeard;
    }
  }

  private static final class OutPass {
    final FileId file;
    long lastSent;

    OutPass(FileId file, long lastSent) {
      this.file = file;
      this.lastSent = lastSent;
    }
  }

  private record PassKey(ProcessId to, long seq) {}

  private record Incoming(ProcessId from, long seq) {}

  private record TaskArg(FileId file, TaskId task) {}

  /**
   * Which sequence numbers from one sender were acted on: all up to {@code low}, plus the few above it that
   * arrived out of order. Bounded by the reordering window, not by history.
   */
  private static final class SeqWindow {
    long low;
    final TreeSet<Long> above = new TreeSet<>();

    boolean add(long seq) {
      if (seq <= low || !above.add(seq)) {
        return false;
      }
      while (above.remove(low + 1)) {
        low++;
      }
      return true;
    }
  }

  /** Collects one call's output; allocates nothing when the call produced nothing. */
  private static final class Emitter {
    private List<GcMessage> messages;
    private List<GcEffect> effects;

    void send(GcMessage m) {
      if (messages == null) {
        messages = new ArrayList<>(2);
      }
      messages.add(m);
    }

    void effect(GcEffect e) {
      if (effects == null) {
        effects = new ArrayList<>(1);
      }
      effects.add(e);
    }

    Output done() {
      if (messages == null && effects == null) {
        return Output.NONE;
      }
      return new Output(messages == null ? List.of() : messages, effects == null ? List.of() : effects);
    }
  }
}
