package io.rayfile.gc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A hand-driven network of {@link OwnershipGcNode}s for the failure-case tests: messages wait in a list until a
 * test delivers, drops, duplicates or reorders them; effects are collected per process.
 */
final class TestCluster {
  static final long INTERVAL = 100;

  final ProcessId[] ids;
  final GcNode[] nodes;
  final List<GcMessage> net = new ArrayList<>();
  final List<List<GcEffect>> effects = new ArrayList<>();
  long now = 1_000;

  /** Process 0 is the anchor. */
  TestCluster(int processes) {
    ids = new ProcessId[processes];
    nodes = new GcNode[processes];
    for (int i = 0; i < processes; i++) {
      ids[i] = new ProcessId(i);
    }
    GcSettings settings = new GcSettings(ids[0], INTERVAL);
    for (int i = 0; i < processes; i++) {
      nodes[i] = new OwnershipGcNode(ids[i], settings);
      effects.add(new ArrayList<>());
    }
  }

  GcNode node(int p) {
    return nodes[p];
  }

  /** Records the output of a call made on process {@code p}. */
  Output at(int p, Output out) {
    net.addAll(out.messages());
    effects.get(p).addAll(out.effects());
    return out;
  }

  /** Delivers the first message matching {@code which}; fails if there is none. */
  GcMessage deliver(Predicate<GcMessage> which) {
    for (int i = 0; i < net.size(); i++) {
      if (which.test(net.get(i))) {
        GcMessage m = net.remove(i);
        int to = (int) m.to().value();
        at(to, nodes[to].receive(m, now));
        return m;
      }
    }
    throw new AssertionError("no message matching the test's filter in " + net);
  }

  /** Delivers every message (including those the deliveries produce), oldest first. */
  void deliverAll() {
    while (!net.isEmpty()) {
      GcMessage m = net.remove(0);
      int to = (int) m.to().value();
      at(to, nodes[to].receive(m, now));
    }
  }

  /** Removes every message matching {@code which}; returns how many. */
  int drop(Predicate<GcMessage> which) {
    int before = net.size();
    net.removeIf(which);
    return before - net.size();
  }

  boolean inFlight(Class<? extends GcMessage> type) {
    return net.stream().anyMatch(type::isInstance);
  }

  /** Advances time by one retry interval and ticks every live process given. */
  void tickAll(int... processes) {
    now += INTERVAL;
    for (int p : processes) {
      at(p, nodes[p].tick(now));
    }
  }

  /** Membership tells each of {@code observers} that {@code dead} died. */
  void died(int dead, int... observers) {
    for (int p : observers) {
      at(p, nodes[p].memberDied(ids[dead], now));
    }
    net.removeIf(m -> m.to().equals(ids[dead]));
  }

  List<GcEffect> effects(int p) {
    return effects.get(p);
  }

  boolean freed(int owner, FileId file) {
    return effects.get(owner).contains(new GcEffect.Freed(file));
  }

  static Predicate<GcMessage> type(Class<? extends GcMessage> t) {
    return t::isInstance;
  }

  static Predicate<GcMessage> from(Class<? extends GcMessage> t, int p) {
    return m -> t.isInstance(m) && m.from().value() == p;
  }
}
