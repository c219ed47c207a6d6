package io.rayfile.cli;

import io.rayfile.api.FileRef;
import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import io.rayfile.api.TaskOptions;
import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.examples.media.MediaPipeline;
import io.rayfile.examples.media.PipelineReport;
import io.rayfile.examples.media.PipelineSettings;
import io.rayfile.runtime.driver.ClusterStats;
import io.rayfile.runtime.driver.DriverRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rayfile demo}: the main job. A head and several nodes, each a real process with its own ports and data
 * directory; this process is the driver. It distributes a generated model directory to every node through a fan-out
 * of tasks (peer to peer: the origin node is read about once), runs a two-stage task pipeline on generated files
 * and the media pipeline (ffmpeg tasks, {@code --media-scale}), drops every handle, and reports bytes, cache-level
 * hits and what is left pinned.
 */
@Command(name = "demo", description = "Run the demo on a local cluster (head + nodes) and print a report.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", description = "Work directory (default: a new temp dir, removed afterwards).")
  Path dir;

  @Option(names = "--nodes", description = "Nodes (default 4).")
  int nodes = 4;

  @Option(names = "--model-size", description = "Size of the generated model directory (default 1GiB).")
  String modelSize = "1GiB";

  @Option(names = "--files", description = "Files through the two-stage pipeline (default 24).")
  int files = 24;

  @Option(names = "--media-scale", description = "Scale of the media pipeline stage (ffmpeg tasks; see bench "
      + "stress); default 0.05: 3 small videos and one of ~18 MiB. 0 skips the stage.")
  double mediaScale = 0.05;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    boolean ownDir = dir == null;
    Path work = ownDir ? Files.createTempDirectory("rayfile-demo-") : Files.createDirectories(dir);
    try (LocalCluster cluster = new LocalCluster(work.resolve("cluster"))) {
      long modelTarget = ByteSize.parse(modelSize).bytes();
      Path model = ModelTree.generateModel(work.resolve("input/model"), modelTarget, 120, 240);
      cluster.startHead();
      List<LocalCluster.Node> all = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        all.add(cluster.startNode("node" + i));
      }
      try (DriverRuntime rt = cluster.driver("node0")) {
        say("head + %d nodes up (each its own process, ports and data directory); this process is the driver",
            nodes);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("nodes", nodes);
        report.put("model", distributeModel(rt, all, model));
        report.put("tasks", pipeline(rt, work));
        report.put("media", mediaStage(rt, work));
        ClusterStats stats = rt.stats();
        report.put("cache_hits", stats.hits());
        rt.closeHandles();
        long t0 = System.nanoTime();
        long pinned = stats.pinnedBytes();
        while (System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos()) {
          pinned = rt.stats().pinnedBytes();
          if (pinned == 0) {
            break;
          }
          Thread.sleep(100);
        }
        double releaseSeconds = (System.nanoTime() - t0) / 1e9;
        say("every handle dropped: %s left pinned on the nodes after %.2f s", ByteSize.format(pinned),
            releaseSeconds);
        report.put("pinned_bytes_after", pinned);
        report.put("release_seconds", releaseSeconds);
        say("cache hits by level: %s", stats.hits());
        if (json) {
          Output.json(report);
        } else {
          System.out.println("demo ok");
        }
        return pinned == 0 ? 0 : 1;
      }
    } finally {
      if (ownDir) {
        BenchImportCommand.deleteTree(work);
      }
    }
  }

  /** Puts the model on node0 and runs one task on every node that reads it there. */
  private Map<String, Object> distributeModel(DriverRuntime rt, List<LocalCluster.Node> all, Path model)
      throws Exception {
    long t0 = System.nanoTime();
    RayFile handle = rt.put(model);
    double putSeconds = (System.nanoTime() - t0) / 1e9;
    say("node0 stored the model: %s (%s) in %.1f s", ByteSize.format(handle.size()),
        handle.id().substring(0, 19), putSeconds);
    double servedBefore = all.get(0).metric("rayfile_peer_served_bytes_total");
    long t1 = System.nanoTime();
    List<FileRef> inspections = new ArrayList<>();
    for (LocalCluster.Node n : all) {
      inspections.add(rt.task(DemoTasks::inspectModel, handle)
          .options(TaskOptions.defaults().onNode(n.name())).remote());
    }
    for (FileRef r : inspections) {
      String summary = Files.readString(r.fetch().get());
      if (!summary.contains("\"bytes\":" + handle.size())) {
        throw new RayFileException(RayFileException.Code.INTERNAL, "a node saw a different model: " + summary);
      }
    }
    double seconds = (System.nanoTime() - t1) / 1e9;
    long origin = (long) (all.get(0).metric("rayfile_peer_served_bytes_total") - servedBefore);
    int withCopy = 0;
    for (LocalCluster.Node n : all) {
      try (NodeClient c = n.client()) {
        if (c.stat(ContentId.parse(handle.id()), false).content().complete()) {
          withCopy++;
        }
      }
    }
    say("%d nodes ran a task on the model: %.1f s; the origin node served %s (%.2f x the model) to %d peers",
        all.size(), seconds, ByteSize.format(origin), origin / (double) handle.size(), all.size() - 1);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bytes", handle.size());
    m.put("origin_bytes", origin);
    m.put("nodes_with_copy", withCopy);
    m.put("seconds", seconds);
    m.put("put_seconds", putSeconds);
    return m;
  }

  /** Stage 1 (spread over the nodes): block checksums of each file; stage 2 (near its inputs): pairs merged. */
  private Map<String, Object> pipeline(DriverRuntime rt, Path work) throws Exception {
    SplittableRandom random = new SplittableRandom(3);
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      Path p = work.resolve("input/media-" + i + ".bin");
      BenchImportCommand.writeRandom(p, (256L << 10) + random.nextInt(4 << 20));
      inputs.add(p);
    }
    long t0 = System.nanoTime();
    List<FileRef> stage1 = new ArrayList<>();
    for (Path p : inputs) {
      stage1.add(rt.task(DemoTasks::blockChecksums, rt.put(p)).options(TaskOptions.defaults().spread()).remote());
    }
    List<FileRef> stage2 = new ArrayList<>();
    for (int i = 0; i + 1 < stage1.size(); i += 2) {
      stage2.add(rt.task(DemoTasks::merge, stage1.get(i), stage1.get(i + 1)).remote());
    }
    int failed = 0;
    for (int i = 0; i < stage2.size(); i++) {
      try {
        String merged = Files.readString(stage2.get(i).fetch().get());
        String want = "# " + inputs.get(2 * i).getFileName() + ".crc\n" + DemoTasks.checksums(inputs.get(2 * i))
            + "# " + inputs.get(2 * i + 1).getFileName() + ".crc\n" + DemoTasks.checksums(inputs.get(2 * i + 1));
        if (!merged.equals(want)) {
          throw new RayFileException(RayFileException.Code.INTERNAL, "pipeline output " + i + " is wrong");
        }
      } catch (java.util.concurrent.ExecutionException e) {
        failed++;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    int ran = stage1.size() + stage2.size() + nodes;
    say("pipeline: %d files -> %d checksum tasks (spread) -> %d merge tasks (near their inputs) in %.1f s; %d "
        + "failed; outputs checked", files, stage1.size(), stage2.size(), seconds, failed);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ran", ran);
    m.put("failed", failed);
    m.put("seconds", seconds);
    return m;
  }

  /**
   * The media pipeline (examples/media-pipeline) on the same driver: inputs made by ffmpeg tasks on the other
   * nodes, downloaded here (the stress table), split, audio, transcode, thumbnails and index as tasks, every output
   * checked from its header. The pipeline releases its own handles.
   */
  private Map<String, Object> mediaStage(DriverRuntime rt, Path work) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scale", mediaScale);
    if (mediaScale <= 0) {
      say("media pipeline skipped (--media-scale 0)");
      m.put("skipped", true);
      return m;
    }
    PipelineReport r = MediaPipeline.run(rt, PipelineSettings.forScale(mediaScale, work.resolve("media-out")));
    double seconds = r.stages().stream().mapToDouble(PipelineReport.StageTiming::seconds).sum();
    say("media pipeline: %d videos (%s) made on other nodes, downloaded, split, audio, transcoded, thumbnails, "
        + "indexed in %.1f s; %d outputs checked with ffmpeg, %d failed", r.inputs(), ByteSize.format(r.inputBytes()),
        seconds, r.verified(), r.failures().size());
    r.stress().toText().lines().forEach(line -> say("  %s", line));
    say("  stages: %s", String.join(", ", r.stages().stream()
        .map(s -> String.format(java.util.Locale.ROOT, "%s %.1f s", s.stage(), s.seconds())).toList()));
    if (!r.ok()) {
      throw new RayFileException(RayFileException.Code.INTERNAL, "media pipeline outputs failed their checks: "
          + r.failures());
    }
    Map<String, Object> stages = new LinkedHashMap<>();
    r.stages().forEach(s -> stages.put(s.stage(), s.seconds()));
    m.put("inputs", r.inputs());
    m.put("input_bytes", r.inputBytes());
    m.put("seconds", seconds);
    m.put("stress", Map.of("buckets", r.stress().buckets()));
    m.put("stages", stages);
    m.put("verified", r.verified());
    m.put("handles_released", r.handlesReleased());
    return m;
  }

  private void say(String format, Object... args) {
    System.err.printf("demo: " + format + "%n", args);
  }
}
