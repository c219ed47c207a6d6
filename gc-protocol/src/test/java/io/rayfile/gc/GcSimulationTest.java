package io.rayfile.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.gc.GcMessage.Status;
import org.junit.jupiter.api.Test;

/** Runs random schedules through {@link Simulation}; a failure message names the seed to replay. */
class GcSimulationTest {

  /** Schedules per CI run; override with -Dgc.sim.schedules=N, start elsewhere with -Dgc.sim.seed=S. */
  private static final int SCHEDULES = Integer.getInteger("gc.sim.schedules", 10_000);
  private static final long FIRST_SEED = Long.getLong("gc.sim.seed", 20_260_000L);

  @Test
  void randomSchedulesKeepSafetyAndLiveness() {
    long steps = 0;
    int[] rounds = new int[Simulation.LIVENESS_ROUNDS + 1];
    for (int i = 0; i < SCHEDULES; i++) {
      Simulation sim = new Simulation(FIRST_SEED + i).run();
      steps += sim.steps();
      rounds[sim.roundsUsed()]++;
    }
    System.out.printf("gc simulation: %d schedules, %d steps; reconciliation rounds needed after quiescence:"
        + " %s%n", SCHEDULES, steps, java.util.Arrays.toString(rounds));
    assertTrue(steps > SCHEDULES * 50L);
  }

  /** Paste a failing seed here (or pass -Dgc.sim.replay=S) to replay it with a full trace. */
  @Test
  void replay() {
    long seed = Long.getLong("gc.sim.replay", 42L);
    Simulation a = new Simulation(seed, OwnershipGcNode::new, true).run();
    Simulation b = new Simulation(seed, OwnershipGcNode::new, true).run();
    assertEquals(a.trace(), b.trace(), "a seed must replay the same schedule");
    assertTrue(a.trace().length() > 0);
  }

  /** The checker is not vacuous: an owner that believes a lie ("not holding") frees files still in use. */
  @Test
  void simulatorCatchesAnUnsafeOwner() {
    AssertionError e = assertThrows(AssertionError.class, () -> {
      for (long seed = 1; seed <= 2_000; seed++) {
        new Simulation(seed, (self, s) -> new Mutant(new OwnershipGcNode(self, s), true), false).run();
      }
    });
    assertTrue(e.getMessage().contains("seed="), e.getMessage());
    assertTrue(e.getMessage().contains("safety") || e.getMessage().contains("rejected"), e.getMessage());
  }

  /** The checker is not vacuous: a node that ignores membership leaks files held by dead borrowers. */
  @Test
  void simulatorCatchesALeak() {
    AssertionError e = assertThrows(AssertionError.class, () -> {
      for (long seed = 1; seed <= 2_000; seed++) {
        new Simulation(seed, (self, s) -> new Mutant(new OwnershipGcNode(self, s), false), false).run();
      }
    });
    assertTrue(e.getMessage().contains("liveness"), e.getMessage());
  }

  /** Deliberately broken nodes for the two tests above. */
  private static final class Mutant implements GcNode {
    private final GcNode real;
    private final boolean unsafe;

    Mutant(GcNode real, boolean unsafe) {
      this.real = real;
      this.unsafe = unsafe;
    }

    @Override
    public Output receive(GcMessage m, long now) {
      if (unsafe && m instanceof Status s && s.holding()) {
        m = new Status(s.file(), s.from(), s.to(), false, s.version());
      }
      return real.receive(m, now);
    }

    @Override
    public Output memberDied(ProcessId process, long now) {
      return unsafe ? real.memberDied(process, now) : Output.NONE;
    }

    @Override
    public ProcessId self() {
      return real.self();
    }

    @Override
    public Output create(FileId file, Lifetime lifetime, long now) {
      return real.create(file, lifetime, now);
    }

    @Override
    public Output addLocalRef(FileId file) {
      return real.addLocalRef(file);
    }

    @Override
    public Output removeLocalRef(FileId file) {
      return real.removeLocalRef(file);
    }

    @Override
    public Output taskSubmitted(FileId file, TaskId task) {
      return real.taskSubmitted(file, task);
    }

    @Override
    public Output taskFinished(FileId file, TaskId task) {
      return real.taskFinished(file, task);
    }

    @Override
    public Output passTo(FileId file, ProcessId to, long now) {
      return real.passTo(file, to, now);
    }

    @Override
    public Output tick(long now) {
      return real.tick(now);
    }

    @Override
    public Output jobEnded(JobId job, long now) {
      return real.jobEnded(job, now);
    }

    @Override
    public Output release(FileId file, long now) {
      return real.release(file, now);
    }

    @Override
    public int ownedCount() {
      return real.ownedCount();
    }

    @Override
    public int borrowedCount() {
      return real.borrowedCount();
    }

    @Override
    public int passesInFlight() {
      return real.passesInFlight();
    }
  }
}
