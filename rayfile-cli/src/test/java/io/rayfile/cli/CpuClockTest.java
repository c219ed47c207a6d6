package io.rayfile.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuClockTest {
  @Test
  void statTicksCountFieldsFromTheLastParenthesisSoACommandNameCannotShiftThem() {
    // utime 1234 and stime 56 are fields 14 and 15; the name holds a space and a ") " that look like a field end
    String line = "4242 (a) b (C2 x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 30 0 500 1000 200";
    assertEquals(1290, CpuClock.statTicks(line));
  }

  @Test
  void statTicksRejectLinesThatAreNotProcStat() {
    assertThrows(IllegalArgumentException.class, () -> CpuClock.statTicks("no parenthesis 1 2 3"));
    IllegalArgumentException cut = assertThrows(IllegalArgumentException.class,
        () -> CpuClock.statTicks("1 (java) S 1 2 3"));
    assertTrue(cut.getMessage().contains("fields"), cut.getMessage());
    assertThrows(NumberFormatException.class,
        () -> CpuClock.statTicks("1 (java) S 1 2 3 4 5 6 7 8 9 10 x y 13 14"));
  }

  @Test
  void machineTicksAddBusyFieldsAndLeaveIdleAndIowaitOut() {
    // user nice system idle iowait irq softirq steal guest guest_nice
    long[] t = CpuClock.machineTicks("cpu  100 2 30 1000 40 5 6 7 50 0");
    assertArrayEquals(new long[] {100 + 2 + 30 + 5 + 6, 7, 100 + 2 + 30 + 1000 + 40 + 5 + 6 + 7}, t);
    assertThrows(IllegalArgumentException.class, () -> CpuClock.machineTicks("cpu0 1 2 3 4 5 6 7 8"));
    assertThrows(IllegalArgumentException.class, () -> CpuClock.machineTicks("cpu 1 2"));
  }

  @Test
  void aBusyThreadInThisJvmShowsUpAsItsCpuSecondsAndAsMachineBusyTime() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "Linux /proc");
    CpuClock clock = new CpuClock(Map.of("self", ProcessHandle.current().pid(), "gone", Long.MAX_VALUE));
    CpuClock.Sample before = clock.read().orElseThrow();
    // Bounded work: hash until this thread has used 0.3 s of CPU, or 30 s of wall time have passed.
    var bean = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStart = bean.getCurrentThreadCpuTime();
    long deadline = System.nanoTime() + 30_000_000_000L;
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] block = new byte[1 << 16];
    while (bean.getCurrentThreadCpuTime() - cpuStart < 300_000_000L && System.nanoTime() < deadline) {
      sha.update(block);
    }
    Map<String, Object> r = CpuClock.report(before, clock.read().orElseThrow());
    @SuppressWarnings("unchecked")
    Map<String, Double> jvm = (Map<String, Double>) r.get("jvm_core_seconds");
    assertTrue(jvm.get("self") >= 0.2, "self used " + jvm.get("self") + " s: " + r);
    assertEquals(0.0, jvm.get("gone"), "a process that is not there counts zero: " + r);
    assertTrue((double) r.get("machine_busy") > 0, r.toString());
    assertTrue((double) r.get("jit_share") >= 0 && (double) r.get("jit_share") <= 1, r.toString());
  }
}
