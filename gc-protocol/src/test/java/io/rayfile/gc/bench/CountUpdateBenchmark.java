package io.rayfile.gc.bench;

import io.rayfile.gc.FileId;
import io.rayfile.gc.GcSettings;
import io.rayfile.gc.Lifetime;
import io.rayfile.gc.OwnershipGcNode;
import io.rayfile.gc.ProcessId;
import io.rayfile.gc.TaskId;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Count updates per second of one owner tracking {@code files} live files, on one thread, touching files in a
 * random order (so the table does not sit in cache). Run: see docs/gc-protocol.md ("Benchmarks").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class CountUpdateBenchmark {

  @Param({"1000000"})
  int files;

  private OwnershipGcNode node;
  private FileId[] ids;
  private int[] order;
  private int next;
  private long task;

  @Setup
  public void setUp() {
    node = new OwnershipGcNode(new ProcessId(1), new GcSettings(new ProcessId(0), 1_000), files);
    ids = new FileId[files];
    for (int i = 0; i < files; i++) {
      ids[i] = new FileId(i * 7_919L + 13);
      node.create(ids[i], Lifetime.owner(), 0);
    }
    order = new int[1 << 20];
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < order.length; i++) {
      order[i] = rnd.nextInt(files);
    }
  }

  private FileId nextFile() {
    return ids[order[next++ & (order.length - 1)]];
  }

  /** A handle copied and closed: two count updates, the file stays live. */
  @Benchmark
  @OperationsPerInvocation(2)
  public void localRefAddRemove(Blackhole bh) {
    FileId f = nextFile();
    bh.consume(node.addLocalRef(f));
    bh.consume(node.removeLocalRef(f));
  }

  /** A task submitted with the file as argument and finished: two count updates (idempotent per task). */
  @Benchmark
  @OperationsPerInvocation(2)
  public void taskArgSubmitFinish(Blackhole bh) {
    FileId f = nextFile();
    TaskId t = new TaskId(task++);
    bh.consume(node.taskSubmitted(f, t));
    bh.consume(node.taskFinished(f, t));
  }
}
