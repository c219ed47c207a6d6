package io.rayfile.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time, from Linux {@code /proc}, of a benchmark's JVMs, of their JIT compiler threads, and of the whole machine.
 * Why: the benchmarks run ten JVMs on as few as two cores, so a slow run is often a CPU-bound run; this says how
 * busy the machine was and how much of the CPU the compilers took, in CPU seconds. The JVM's own compilation-time
 * counter cannot: it measures wall time, which grows when the compiler threads wait for a core.
 *
 * <p>Accuracy: the JVM totals include exited threads; the compiler figures count only the compiler threads alive at
 * both reads (the JVM retires idle ones), so they are a lower bound. Elsewhere than Linux there is no figure.
 */
final class CpuClock {
  /** The kernel's clock tick for {@code /proc} times: USER_HZ, 100 on every Linux architecture Java runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private static final Path PROC = Path.of("/proc");

  /** CPU ticks at one moment: the machine's busy, stolen and total ticks; each JVM's and its compilers', by name. */
  record Sample(long machineBusy, long machineSteal, long machineTotal, Map<String, Long> jvm, Map<String, Long> jit) {
    Sample {
      jvm = Collections.unmodifiableMap(new LinkedHashMap<>(jvm)); // in the caller's order, for the report
      jit = Collections.unmodifiableMap(new LinkedHashMap<>(jit));
    }
  }

  private final Map<String, Long> pids;

  /** Clocks the processes {@code pids}, by name. */
  CpuClock(Map<String, Long> pids) {
    this.pids = new LinkedHashMap<>(pids);
  }

  /** Now, or empty where there is no Linux {@code /proc}. A process that has gone counts zero. */
  Optional<Sample> read() {
    Path stat = PROC.resolve("stat");
    if (!Files.isReadable(stat)) {
      return Optional.empty();
    }
    try {
      long[] cpu = machineTicks(Files.readAllLines(stat).get(0));
      Map<String, Long> jvm = new LinkedHashMap<>();
      Map<String, Long> jit = new LinkedHashMap<>();
      pids.forEach((name, pid) -> {
        jvm.put(name, processTicks(PROC.resolve(Long.toString(pid)).resolve("stat")));
        jit.put(name, compilerTicks(pid));
      });
      return Optional.of(new Sample(cpu[0], cpu[1], cpu[2], jvm, jit));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // a benchmark without this figure is still a benchmark
    }
  }

  /**
   * The report between two samples: {@code cores}, {@code machine_busy} and {@code machine_steal} (shares of all
   * cores' time), {@code jvm_core_seconds} and {@code jit_core_seconds} by JVM, and {@code jit_share} (compilers'
   * CPU over the JVMs' CPU).
   */
  static Map<String, Object> report(Sample before, Sample after) {
    double total = after.machineTotal() - before.machineTotal();
    Map<String, Double> jvm = seconds(before.jvm(), after.jvm());
    Map<String, Double> jit = seconds(before.jit(), after.jit());
    double jvmSum = jvm.values().stream().mapToDouble(Double::doubleValue).sum();
    double jitSum = jit.values().stream().mapToDouble(Double::doubleValue).sum();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("cores", Runtime.getRuntime().availableProcessors());
    r.put("machine_busy", total > 0 ? (after.machineBusy() - before.machineBusy()) / total : 0.0);
    r.put("machine_steal", total > 0 ? (after.machineSteal() - before.machineSteal()) / total : 0.0);
    r.put("jvm_core_seconds", jvm);
    r.put("jit_core_seconds", jit);
    r.put("jit_share", jvmSum > 0 ? jitSum / jvmSum : 0.0);
    return r;
  }

  private static Map<String, Double> seconds(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Double> s = new LinkedHashMap<>();
    after.forEach((name, ticks) -> s.put(name, Math.max(0, ticks - before.getOrDefault(name, 0L))
        / TICKS_PER_SECOND));
    return s;
  }

  /**
   * Busy, steal and total ticks from the first line of {@code /proc/stat}: {@code cpu user nice system idle iowait
   * irq softirq steal ...}. Busy is user + nice + system + irq + softirq; guest time is already inside user.
   */
  static long[] machineTicks(String line) {
    String[] f = line.trim().split("\\s+");
    if (f.length < 9 || !f[0].equals("cpu")) {
      throw new IllegalArgumentException("not the total line of /proc/stat: '" + line + "'");
    }
    long[] v = new long[8];
    for (int i = 0; i < 8; i++) {
      v[i] = Long.parseLong(f[i + 1]);
    }
    long busy = v[0] + v[1] + v[2] + v[5] + v[6];
    long total = 0;
    for (long x : v) {
      total += x;
    }
    return new long[] {busy, v[7], total};
  }

  /**
   * User + system ticks from a {@code /proc/<pid>/stat} or {@code /proc/<pid>/task/<tid>/stat} line. The command
   * name (field 2) is in parentheses and may itself hold spaces and parentheses, so fields count from the last
   * {@code ')'}: after it come state (field 3) ... utime (14) and stime (15).
   */
  static long statTicks(String line) {
    int close = line.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("no command name in a /proc stat line: '" + line + "'");
    }
    String[] f = line.substring(close + 1).trim().split("\\s+");
    if (f.length < 13) {
      throw new IllegalArgumentException("a /proc stat line with " + (f.length + 2) + " fields, not 15 or more");
    }
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** The process's ticks, or zero when it has gone (a daemon a benchmark killed). */
  private static long processTicks(Path stat) {
    try {
      return statTicks(Files.readString(stat));
    } catch (IOException e) {
      return 0;
    }
  }

  /** Ticks of the process's JIT compiler threads ("C1 CompilerThread0" and so on, cut to 15 characters). */
  private static long compilerTicks(long pid) {
    Path tasks = PROC.resolve(Long.toString(pid)).resolve("task");
    try (Stream<Path> list = Files.list(tasks)) {
      return list.filter(CpuClock::isCompiler).mapToLong(t -> processTicks(t.resolve("stat"))).sum();
    } catch (IOException e) {
      return 0;
    }
  }

  private static boolean isCompiler(Path task) {
    try {
      String comm = Files.readString(task.resolve("comm")).trim();
      return comm.matches("C[12] CompilerThre.*");
    } catch (IOException e) {
      return false; // the thread ended between the listing and the read
    }
  }
}
