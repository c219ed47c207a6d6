package io.rayfile.cli;

import io.rayfile.api.FileRef;
import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.runtime.driver.DriverRuntime;
import io.rayfile.runtime.driver.TaskTiming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rayfile bench tasks}: task throughput and per-task overhead on a local cluster of real processes. Lanes of
 * chained tasks, each reading one RayFile and writing one of the same size; every task is submitted at once, so
 * each lane's next task runs as soon as its input resolves. Overhead is the time beyond the task body and the wait
 * for a free worker: dispatch, input fetch and materialization, output import, messages.
 */
@Command(name = "tasks", description = "Tasks/s and per-task overhead of chained tasks on a local cluster.")
final class BenchTasksCommand implements Callable<Integer> {
  @Option(names = "--tasks", description = "Tasks in all (default 2000).")
  int tasks = 2000;

  @Option(names = "--size", description = "Bytes each task reads and writes (default 64KiB).")
  String size = "64KiB";

  @Option(names = "--lanes", description = "Independent chains run side by side (default 16).")
  int lanes = 16;

  @Option(names = "--nodes", description = "Nodes (default 2).")
  int nodes = 2;

  @Option(names = "--serial-tasks", description = "Tasks of the serial chain that measures per-task overhead on an "
      + "unloaded cluster (default 300; 0 skips it).")
  int serialTasks = 300;

  @Option(names = "--timeout", description = "Give up after this long (default PT10M).")
  Duration timeout = Duration.ofMinutes(10);

  @Mixin
  BenchOptions options;

  @Override
  public Integer call() throws Exception {
    if (tasks < lanes || lanes < 1) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "--tasks must be >= --lanes >= 1");
    }
    int bytes = (int) ByteSize.parse(size).bytes();
    Path work = options.scratch("tasks");
    try (LocalCluster cluster = options.cluster(work.resolve("cluster"))) {
      cluster.startHead();
      for (int i = 0; i < nodes; i++) {
        cluster.startNode("n" + i);
      }
      try (DriverRuntime rt = cluster.driver("n0")) {
        warmUp(rt, work, bytes);
        // Per-task overhead on an unloaded cluster: one chain, one task at a time (what a task costs beyond its
        // body). The lanes below saturate the machine, so their latencies include waiting for a CPU.
        ConcurrentLinkedQueue<TaskTiming> serial = new ConcurrentLinkedQueue<>();
        if (serialTasks > 0) {
          rt.onTaskTiming(serial::add);
          Path p = work.resolve("serial.bin");
          BenchImportCommand.writeRandom(p, bytes);
          Object prev = rt.put(p);
          List<FileRef> chain = new ArrayList<>();
          for (int i = 0; i < serialTasks; i++) {
            FileRef r = rt.task(DemoTasks::rotate, prev).remote();
            chain.add(r);
            prev = r;
          }
          rt.wait(List.of(chain.get(chain.size() - 1)), 1, timeout);
          chain.forEach(FileRef::close);
        }
        ConcurrentLinkedQueue<TaskTiming> timings = new ConcurrentLinkedQueue<>();
        rt.onTaskTiming(timings::add);
        List<FileRef> last = new ArrayList<>();
        long t0 = System.nanoTime();
        List<RayFile> seeds = new ArrayList<>();
        for (int l = 0; l < lanes; l++) {
          Path p = work.resolve("seed-" + l + ".bin");
          BenchImportCommand.writeRandom(p, bytes);
          seeds.add(rt.put(p));
        }
        List<FileRef> all = new ArrayList<>();
        for (int l = 0; l < lanes; l++) {
          Object prev = seeds.get(l);
          int perLane = tasks / lanes + (l < tasks % lanes ? 1 : 0);
          for (int i = 0; i < perLane; i++) {
            FileRef r = rt.task(DemoTasks::rotate, prev).remote();
            all.add(r);
            prev = r;
          }
          last.add((FileRef) prev);
        }
        rt.wait(last, last.size(), timeout);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long failed = all.stream().filter(r -> !r.isDone() || r.future().isCompletedExceptionally()).count();
        Map<String, Object> report = report(timings, seconds, failed, bytes);
        report.put("overhead_unloaded", overheads(serial));
        if (options.json) {
          Output.json(report);
        } else {
          System.out.printf("%d tasks of %s on %d nodes, %d lanes: %.0f tasks/s; overhead %s (unloaded: %s); %d "
              + "failed%n", tasks, size, nodes, lanes, report.get("tasks_per_s"), report.get("overhead"),
              report.get("overhead_unloaded"), failed);
        }
        return failed == 0 ? 0 : 1;
      }
    } finally {
      BenchImportCommand.deleteTree(work);
    }
  }

  /** Loads the task class and warms the JITs on every node before measuring. */
  private static void warmUp(DriverRuntime rt, Path work, int bytes) throws Exception {
    Path p = work.resolve("warm.bin");
    BenchImportCommand.writeRandom(p, bytes);
    try (RayFile seed = rt.put(p)) {
      List<FileRef> refs = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        refs.add(rt.task(DemoTasks::rotate, i == 0 ? seed : refs.get(i - 1)).remote());
        refs.add(rt.task(DemoTasks::rotate, seed).options(io.rayfile.api.TaskOptions.defaults().spread()).remote());
      }
      rt.wait(refs, refs.size(), Duration.ofMinutes(2));
      refs.forEach(FileRef::close);
    }
  }

  private static Map<String, Object> overheads(ConcurrentLinkedQueue<TaskTiming> timings) {
    List<Double> overhead = new ArrayList<>();
    timings.forEach(t -> overhead.add(t.overheadNanos() / 1e9));
    Map<String, Object> m = new LinkedHashMap<>(Percentiles.of(overhead).json());
    m.put("tasks", overhead.size());
    return m;
  }

  private Map<String, Object> report(ConcurrentLinkedQueue<TaskTiming> timings, double seconds, long failed,
      int bytes) {
    List<Double> overhead = new ArrayList<>();
    List<Double> total = new ArrayList<>();
    List<Double> body = new ArrayList<>();
    List<Double> prep = new ArrayList<>();
    List<Double> resolve = new ArrayList<>();
    List<Double> imports = new ArrayList<>();
    for (TaskTiming t : timings) {
      overhead.add(t.overheadNanos() / 1e9);
      total.add(t.totalNanos() / 1e9);
      body.add(t.bodyNanos() / 1e9);
      prep.add(t.prepNanos() / 1e9);
      resolve.add(t.resolveNanos() / 1e9);
      imports.add(t.importNanos() / 1e9);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tasks", tasks);
    m.put("bytes_per_task", bytes);
    m.put("nodes", nodes);
    m.put("lanes", lanes);
    m.put("seconds", seconds);
    m.put("tasks_per_s", tasks / seconds);
    m.put("failed", failed);
    m.put("overhead", Percentiles.of(overhead).json());
    m.put("dispatch_to_result", Percentiles.of(total).json());
    m.put("body", Percentiles.of(body).json());
    m.put("node_prepare_inputs", Percentiles.of(prep).json());
    m.put("node_materialize_inputs", Percentiles.of(resolve).json());
    m.put("node_import_output", Percentiles.of(imports).json());
    return m;
  }
}
