package io.rayfile.gc;

import io.rayfile.gc.GcEffect.Accepted;
import io.rayfile.gc.GcEffect.Freed;
import io.rayfile.gc.GcEffect.Lost;
import io.rayfile.gc.GcEffect.Rejected;
import io.rayfile.gc.GcMessage.Pass;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * Deterministic simulator: one seeded schedule of application actions, message faults, crashes and time over a
 * few processes, checked against ground truth the simulator keeps itself (never by asking the nodes).
 *
 * <p><b>Safety</b>, checked after every step: no file whose owner emitted {@link Freed} is held by a live process
 * (an application handle, or an argument of a pending task), or travels in a pass between two live processes that
 * has not been accepted or rejected yet. Also: {@code Freed} only by the owner and once; {@link Accepted} only for a
 * pass that was sent and only once; {@link Rejected} only when the sender or the owner is dead; {@link Lost} only
 * when the owner is dead.
 *
 * <p><b>Liveness</b>, checked at the end: faults stop, every live holder drops everything, membership tells every
 * live process of every death, every message in flight is delivered, lifetimes end (jobs end, detached files are
 * released), then reconciliation rounds run (time advances by the retry interval, every live node ticks, every
 * message is delivered). Within {@link #LIVENESS_ROUNDS} rounds every live node must hold no record at all (no
 * owned file, no borrower record, no pass in flight), and every file whose owner is alive and knew it must have
 * been freed.
 *
 * <p>Process 0 is the anchor and never crashes. A failure throws {@link AssertionError} naming the seed and the
 * step, so {@code new Simulation(seed).run()} replays it exactly.
 */
final class Simulation {

  /** Reconciliation rounds after quiescence within which everything must be freed (see docs/gc-protocol.md). */
  static final int LIVENESS_ROUNDS = 1;

  static final long INTERVAL = 100;

  private final long seed;
  private final SplittableRandom rnd;
  private final int n;
  private final int steps;
  private final GcNode[] nodes;
  private final boolean[] alive;
  private final ProcessId[] pids;
  private final List<GcMessage> network = new ArrayList<>();
  private final List<int[]> notices = new ArrayList<>(); // {observer, dead}
  private final Map<FileId, FileInfo> files = new LinkedHashMap<>();
  private final List<Map<FileId, Integer>> handles = new ArrayList<>();
  private final List<TaskRec> tasks = new ArrayList<>();
  private final Map<PassId, PassRec> passes = new LinkedHashMap<>();
  private final List<JobId> jobs = List.of(new JobId(1), new JobId(2));
  private final Set<JobId> endedJobs = new HashSet<>();
  private final Deque<Runnable> appQueue = new ArrayDeque<>();
  private final StringBuilder trace;
  private long now = 1_000;
  private int step;
  private long nextFile = 1;
  private long nextTask = 1;
  private boolean autoDrop;
  private int roundsUsed = -1;
  private int stepsDone;

  Simulation(long seed) {
    this(seed, OwnershipGcNode::new, false);
  }

  Simulation(long seed, BiFunction<ProcessId, GcSettings, GcNode> factory, boolean traced) {
    this.seed = seed;
    this.rnd = new SplittableRandom(seed);
    this.n = 3 + rnd.nextInt(3);
    this.steps = 60 + rnd.nextInt(240);
    this.nodes = new GcNode[n];
    this.alive = new boolean[n];
    this.pids = new ProcessId[n];
    for (int i = 0; i < n; i++) {
      pids[i] = new ProcessId(i);
    }
    GcSettings settings = new GcSettings(pids[0], INTERVAL);
    for (int i = 0; i < n; i++) {
      nodes[i] = factory.apply(pids[i], settings);
      alive[i] = true;
      handles.add(new LinkedHashMap<>());
    }
    this.trace = traced ? new StringBuilder() : null;
  }

  /** Runs the whole schedule; throws AssertionError with seed and step on any violation. */
  Simulation run() {
    for (step = 1; step <= steps; step++) {
      randomStep();
      drainApp();
      checkSafety();
      stepsDone++;
    }
    settle();
    return this;
  }

  int roundsUsed() {
    return roundsUsed;
  }

  int steps() {
    return stepsDone;
  }

  String trace() {
    return trace == null ? "" : trace.toString();
  }

  // ------------------------------------------------------------------ random phase

  private void randomStep() {
    int r = rnd.nextInt(100);
    if (r < 8) {
      create();
    } else if (r < 14) {
      withHandle((p, f) -> {
        log(p, "addLocalRef " + f);
        handles.get(p).merge(f, 1, Integer::sum);
        apply(p, nodes[p].addLocalRef(f));
      });
    } else if (r < 24) {
      withHandle(this::drop);
    } else if (r < 30) {
      withHandle((p, f) -> {
        TaskId t = new TaskId(nextTask++);
        log(p, "taskSubmitted " + f + " " + t);
        tasks.add(new TaskRec(p, f, t));
        apply(p, nodes[p].taskSubmitted(f, t));
      });
    } else if (r < 35) {
      if (!tasks.isEmpty()) {
        TaskRec t = tasks.remove(rnd.nextInt(tasks.size()));
        log(t.proc, "taskFinished " + t.file + " " + t.task);
        apply(t.proc, nodes[t.proc].taskFinished(t.file, t.task));
        if (rnd.nextInt(4) == 0) { // the runtime may report twice
          apply(t.proc, nodes[t.proc].taskFinished(t.file, t.task));
        }
      }
    } else if (r < 50) {
      withHandle((p, f) -> {
        int q = rnd.nextInt(n);
        if (q != p) {
          log(p, "passTo " + f + " -> P" + q);
          apply(p, nodes[p].passTo(f, pids[q], now));
        }
      });
    } else if (r < 72) {
      deliverOne();
    } else if (r < 76) {
      if (!network.isEmpty()) {
        GcMessage m = network.remove(rnd.nextInt(network.size()));
        log(-1, "DROP " + m);
      }
    } else if (r < 80) {
      if (!network.isEmpty()) {
        GcMessage m = network.get(rnd.nextInt(network.size()));
        log(-1, "DUP " + m);
        network.add(m);
      }
    } else if (r < 82) {
      crash();
    } else if (r < 86) {
      if (!notices.isEmpty()) {
        int[] nt = notices.remove(rnd.nextInt(notices.size()));
        if (alive[nt[0]]) {
          log(nt[0], "memberDied P" + nt[1]);
          apply(nt[0], nodes[nt[0]].memberDied(pids[nt[1]], now));
        }
      }
    } else if (r < 94) {
      int p = rnd.nextInt(n);
      if (alive[p]) {
        now += rnd.nextInt((int) INTERVAL);
        log(p, "tick");
        apply(p, nodes[p].tick(now));
      }
    } else if (r < 96) {
      now += rnd.nextInt(3 * (int) INTERVAL);
    } else if (r < 97) {
      JobId j = jobs.get(rnd.nextInt(jobs.size()));
      if (endedJobs.add(j)) {
        log(0, "jobEnded " + j);
        apply(0, nodes[0].jobEnded(j, now));
      }
    } else {
      List<FileId> pinned = new ArrayList<>();
      for (Map.Entry<FileId, FileInfo> e : files.entrySet()) {
        if (e.getValue().lifetime.kind() != Lifetime.Kind.OWNER) {
          pinned.add(e.getKey());
        }
      }
      if (!pinned.isEmpty()) {
        FileId f = pinned.get(rnd.nextInt(pinned.size()));
        log(0, "release " + f);
        apply(0, nodes[0].release(f, now));
      }
    }
  }

  private void create() {
    int p = rnd.nextInt(n);
    if (!alive[p]) {
      return;
    }
    FileId f = new FileId(nextFile++);
    Lifetime lt;
    int k = rnd.nextInt(10);
    long ttl = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(5 * (int) INTERVAL) : 0;
    List<JobId> running = new ArrayList<>();
    for (JobId j : jobs) {
      if (!endedJobs.contains(j)) {
        running.add(j);
      }
    }
    if (k < 6) {
      lt = Lifetime.owner();
    } else if (k < 8 && !running.isEmpty()) {
      lt = Lifetime.job(running.get(rnd.nextInt(running.size())), ttl);
    } else {
      lt = Lifetime.detached(ttl);
    }
    int owner = lt.kind() == Lifetime.Kind.OWNER ? p : 0;
    files.put(f, new FileInfo(owner, p, lt));
    handles.get(p).merge(f, 1, Integer::sum);
    log(p, "create " + f + " " + lt);
    apply(p, nodes[p].create(f, lt, now));
  }

  private void drop(int p, FileId f) {
    log(p, "removeLocalRef " + f);
    Map<FileId, Integer> h = handles.get(p);
    if (h.merge(f, -1, Integer::sum) == 0) {
      h.remove(f);
    }
    apply(p, nodes[p].removeLocalRef(f));
  }

  private interface HandleAction {
    void run(int p, FileId f);
  }

  private void withHandle(HandleAction action) {
    int p = rnd.nextInt(n);
    if (!alive[p] || handles.get(p).isEmpty()) {
      return;
    }
    List<FileId> held = new ArrayList<>(handles.get(p).keySet());
    action.run(p, held.get(rnd.nextInt(held.size())));
  }

  private void deliverOne() {
    if (network.isEmpty()) {
      return;
    }
    GcMessage m = network.remove(rnd.nextInt(network.size()));
    int to = (int) m.to().value();
    if (!alive[to]) {
      log(-1, "LOST-TO-DEAD " + m);
      return;
    }
    log(to, "receive " + m);
    apply(to, nodes[to].receive(m, now));
  }

  private void crash() {
    List<Integer> candidates = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      if (alive[i]) {
        candidates.add(i);
      }
    }
    if (candidates.isEmpty()) {
      return;
    }
    int p = candidates.get(rnd.nextInt(candidates.size()));
    log(p, "CRASH");
    alive[p] = false;
    handles.get(p).clear();
    tasks.removeIf(t -> t.proc == p);
    for (FileInfo fi : files.values()) {
      if (fi.owner == p) {
        fi.ownerDead = true;
      }
    }
    for (int q = 0; q < n; q++) {
      if (alive[q]) {
        notices.add(new int[] {q, p});
      }
    }
  }

  // ------------------------------------------------------------------ liveness phase

  private void settle() {
    step = steps + 1;
    autoDrop = true;
    for (int p = 0; p < n; p++) {
      if (!alive[p]) {
        continue;
      }
      for (TaskRec t : new ArrayList<>(tasks)) {
        if (t.proc == p) {
          tasks.remove(t);
          apply(p, nodes[p].taskFinished(t.file, t.task));
        }
      }
      for (Map.Entry<FileId, Integer> e : Map.copyOf(handles.get(p)).entrySet()) {
        for (int i = 0; i < e.getValue(); i++) {
          drop(p, e.getKey());
        }
      }
    }
    drainApp();
    for (int[] nt : notices) {
      if (alive[nt[0]]) {
        apply(nt[0], nodes[nt[0]].memberDied(pids[nt[1]], now));
      }
    }
    notices.clear();
    deliverAll();
    endLifetimes();
    checkSafety();
    if (quiescentAndFree()) {
      roundsUsed = 0;
      return;
    }
    for (int round = 1; round <= LIVENESS_ROUNDS + 3; round++) {
      step++;
      now += INTERVAL;
      for (int p = 0; p < n; p++) {
        if (alive[p]) {
          log(p, "tick (round " + round + ")");
          apply(p, nodes[p].tick(now));
        }
      }
      deliverAll();
      endLifetimes();
      checkSafety();
      if (quiescentAndFree()) {
        roundsUsed = round;
        break;
      }
    }
    if (roundsUsed < 0 || roundsUsed > LIVENESS_ROUNDS) {
      fail("liveness: not everything freed within " + LIVENESS_ROUNDS + " reconciliation round(s) (used "
          + (roundsUsed < 0 ? "more than " + (LIVENESS_ROUNDS + 3) : roundsUsed) + "): " + leftovers());
    }
  }

  private void endLifetimes() {
    for (JobId j : jobs) {
      endedJobs.add(j);
      apply(0, nodes[0].jobEnded(j, now));
    }
    for (FileId f : new ArrayList<>(files.keySet())) {
      if (files.get(f).lifetime.kind() != Lifetime.Kind.OWNER) {
        apply(0, nodes[0].release(f, now));
      }
    }
    deliverAll();
  }

  private void deliverAll() {
    int guard = 0;
    while (!network.isEmpty()) {
      if (++guard > 1_000_000) {
        fail("messages never stop: " + network.subList(0, Math.min(10, network.size())));
      }
      deliverOne();
      drainApp();
    }
  }

  private boolean quiescentAndFree() {
    for (int p = 0; p < n; p++) {
      if (alive[p] && (nodes[p].ownedCount() > 0 || nodes[p].borrowedCount() > 0
          || nodes[p].passesInFlight() > 0)) {
        return false;
      }
    }
    for (Map.Entry<FileId, FileInfo> e : files.entrySet()) {
      FileInfo fi = e.getValue();
      boolean ownerKnew = fi.creator == fi.owner || alive[fi.creator];
      if (!fi.freed && !fi.ownerDead && ownerKnew) {
        return false;
      }
    }
    return true;
  }

  private String leftovers() {
    StringBuilder sb = new StringBuilder();
    for (int p = 0; p < n; p++) {
      if (alive[p]) {
        sb.append("\n  ").append(nodes[p]);
      }
    }
    for (Map.Entry<FileId, FileInfo> e : files.entrySet()) {
      FileInfo fi = e.getValue();
      if (!fi.freed && !fi.ownerDead) {
        sb.append("\n  not freed: ").append(e.getKey()).append(' ').append(fi);
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ ground truth and checks

  private void apply(int p, Output out) {
    for (GcMessage m : out.messages()) {
      if (!m.from().equals(pids[p])) {
        fail("P" + p + " sent a message as " + m.from() + ": " + m);
      }
      if (m instanceof Pass pass) {
        passes.putIfAbsent(new PassId(p, (int) pass.to().value(), pass.seq()), new PassRec(pass.file()));
      }
      network.add(m);
    }
    for (GcEffect e : out.effects()) {
      log(p, "  effect " + e);
      FileInfo fi = files.get(e.file());
      if (fi == null) {
        fail("effect about an unknown file: " + e);
      }
      if (e instanceof Freed) {
        if (fi.owner != p) {
          fail("P" + p + " freed " + e.file() + " owned by P" + fi.owner);
        }
        if (fi.freed) {
          fail("P" + p + " freed " + e.file() + " twice");
        }
        fi.freed = true;
      } else if (e instanceof Accepted a) {
        PassRec pr = passes.get(new PassId((int) a.from().value(), p, a.seq()));
        if (pr == null || pr.state != PassState.SENT || !pr.file.equals(a.file())) {
          fail("P" + p + " accepted a pass that was never sent or already settled: " + a + " -> " + pr);
        }
        pr.state = PassState.ACCEPTED;
        handles.get(p).merge(a.file(), 1, Integer::sum);
        if (autoDrop) {
          appQueue.add(() -> drop(p, a.file()));
        }
      } else if (e instanceof Rejected rj) {
        PassRec pr = passes.get(new PassId((int) rj.from().value(), p, rj.seq()));
        if (pr == null || pr.state != PassState.SENT) {
          fail("P" + p + " rejected a pass that was never sent or already settled: " + rj);
        }
        pr.state = PassState.REJECTED;
        if (alive[(int) rj.from().value()] && !fi.ownerDead) {
          fail("P" + p + " rejected " + rj + " although its sender and the owner P" + fi.owner + " are alive");
        }
      } else if (e instanceof Lost) {
        if (!fi.ownerDead) {
          fail("P" + p + " lost " + e.file() + " although its owner P" + fi.owner + " is alive");
        }
        handles.get(p).remove(e.file());
        tasks.removeIf(t -> t.proc == p && t.file.equals(e.file()));
      }
    }
  }

  private void drainApp() {
    while (!appQueue.isEmpty()) {
      appQueue.poll().run();
    }
  }

  private void checkSafety() {
    for (int p = 0; p < n; p++) {
      if (!alive[p]) {
        continue;
      }
      for (FileId f : handles.get(p).keySet()) {
        if (files.get(f).freed) {
          fail("safety: " + f + " freed while live P" + p + " holds " + handles.get(p).get(f) + " handle(s)");
        }
      }
    }
    for (TaskRec t : tasks) {
      if (alive[t.proc] && files.get(t.file).freed) {
        fail("safety: " + t.file + " freed while pending task " + t.task + " of P" + t.proc + " has it");
      }
    }
    for (Map.Entry<PassId, PassRec> e : passes.entrySet()) {
      PassId id = e.getKey();
      PassRec pr = e.getValue();
      if (pr.state == PassState.SENT && alive[id.from] && alive[id.to] && files.get(pr.file).freed) {
        fail("safety: " + pr.file + " freed while a pass P" + id.from + " -> P" + id.to + " #" + id.seq
            + " is in flight between live processes");
      }
    }
  }

  private void fail(String what) {
    String msg = "seed=" + seed + " step=" + step + ": " + what
        + "\n  replay: new Simulation(" + seed + "L).run()  (GcSimulationTest#replay)";
    if (trace != null) {
      msg += "\n--- trace ---\n" + trace;
    }
    throw new AssertionError(msg);
  }

  private void log(int p, String what) {
    if (trace != null) {
      trace.append(step).append(" t=").append(now).append(' ').append(p >= 0 ? "P" + p + " " : "")
          .append(what).append('\n');
    }
  }

  private static final class FileInfo {
    final int owner;
    final int creator;
    final Lifetime lifetime;
    boolean freed;
    boolean ownerDead;

    FileInfo(int owner, int creator, Lifetime lifetime) {
      this.owner = owner;
      this.creator = creator;
      this.lifetime = lifetime;
    }

    @Override
    public String toString() {
      return "owner=P" + owner + " creator=P" + creator + " " + lifetime + " freed=" + freed;
    }
  }

  private record TaskRec(int proc, FileId file, TaskId task) {}

  private record PassId(int from, int to, long seq) {}

  private enum PassState { SENT, ACCEPTED, REJECTED }

  private static final class PassRec {
    final FileId file;
    PassState state = PassState.SENT;

    PassRec(FileId file) {
      this.file = file;
    }

    @Override
    public String toString() {
      return file + " " + state;
    }
  }
}
