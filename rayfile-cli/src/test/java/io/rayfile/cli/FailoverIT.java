package io.rayfile.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.api.FileRef;
import io.rayfile.api.PutOptions;
import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import io.rayfile.api.TaskOptions;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Natural failover on real processes: retries, lineage, replicas, preheat, disk pressure. */
class FailoverIT extends RuntimeClusterTest {
  private static final Pattern DOWNLOADED = Pattern.compile("downloaded (sha256:[0-9a-f]{64})");

  private void awaitGone(String nodeId) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> rt.directory().byId(nodeId).isEmpty());
  }

  /** 10 inputs -> 10 steps (spread) -> 10 steps -> 10 joins: 30 tasks; n2 is SIGKILLed at {@code moment}. */
  @ParameterizedTest
  @ValueSource(ints = {1, 10, 20})
  void aThirtyTaskPipelineFinishesWhenANodeDiesMidRun(int moment) throws Exception {
    start(4);
    Path runs = Files.createDirectories(tmp.resolve("runs"));
    int maxRetries = 2;
    TaskOptions spread = TaskOptions.defaults().spread().maxRetries(maxRetries);
    TaskOptions near = TaskOptions.defaults().maxRetries(maxRetries);
    List<byte[]> inputs = new ArrayList<>();
    List<FileRef> all = new ArrayList<>();
    List<FileRef> joins = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Path p = random("in" + i, (256 << 10) + i);
      inputs.add(Files.readAllBytes(p));
      RayFile in = rt.put(p);
      FileRef a = rt.task(ItTasks::step, in, "a" + i, runs.toString()).options(spread).remote();
      FileRef b = rt.task(ItTasks::step, a, "b" + i, runs.toString()).options(near).remote();
      all.add(a);
      all.add(b);
    }
    for (int i = 0; i < 10; i++) {
      FileRef j = rt.task(ItTasks::join, all.get(2 * i + 1), all.get((2 * i + 3) % 20), "j" + i, runs.toString())
          .options(near).remote();
      joins.add(j);
      all.add(j);
    }
    Awaitility.await().atMost(Duration.ofMinutes(2))
        .until(() -> all.stream().filter(FileRef::isDone).count() >= moment);
    cluster.nodes().get(2).process().kill9();
    rt.wait(all, all.size(), Duration.ofMinutes(4));
    for (int i = 0; i < 10; i++) {
      byte[] b1 = ItTasks.concat(ItTasks.concat(inputs.get(i), ("/a" + i).getBytes()), ("/b" + i).getBytes());
      int k = (i + 1) % 10;
      byte[] b2 = ItTasks.concat(ItTasks.concat(inputs.get(k), ("/a" + k).getBytes()), ("/b" + k).getBytes());
      assertArrayEquals(ItTasks.concat(b1, b2), Files.readAllBytes(joins.get(i).fetch().get(2, java.util.concurrent.TimeUnit.MINUTES)), "join " + i);
    }
    Map<String, Integer> perTask = new HashMap<>();
    try (Stream<Path> s = Files.list(runs)) {
      s.forEach(f -> perTask.merge(f.getFileName().toString().split("-")[0], 1, Integer::sum));
    }
    assertEquals(30, perTask.size(), perTask.toString());
    perTask.forEach((task, n) -> assertTrue(n <= maxRetries + 1, task + " ran " + n + " times"));
    for (LocalCluster.Node n : cluster.nodes()) {
      if (n.name().equals("n2")) {
        continue;
      }
      Map<String, Integer> downloads = new HashMap<>();
      Matcher m = DOWNLOADED.matcher(Files.readString(tmp.resolve("cluster").resolve(n.name() + ".log")));
      while (m.find()) {
        downloads.merge(m.group(1), 1, Integer::sum);
      }
      downloads.forEach((id, count) -> assertEquals(1, count, n.name() + " downloaded " + id + " twice"));
    }
  }

  @Test
  void anOutputWhoseHoldersAllDiedIsRebuiltThroughLineage() throws Exception {
    start(4);
    Path input = random("input.bin", 1 << 20);
    try (RayFile in = rt.put(input);
        FileRef a = rt.task(ItTasks::reverse, in, "a").options(TaskOptions.defaults().onNode("n1")).remote();
        FileRef b = rt.task(ItTasks::reverse, a, "b").options(TaskOptions.defaults().onNode("n2")).remote()) {
      b.get(Duration.ofMinutes(1)); // n1 made a's output, n2 fetched it: both hold it, nobody else does
      cluster.nodes().get(1).process().kill9();
      cluster.nodes().get(2).process().kill9();
      awaitGone("n1");
      awaitGone("n2");
      Path rebuilt = a.fetch().get(2, java.util.concurrent.TimeUnit.MINUTES);
      assertArrayEquals(ItTasks.reverseLocally(Files.readAllBytes(input), "a"), Files.readAllBytes(rebuilt));
    }
  }

  @Test
  void aPutWithTwoReplicasSurvivesItsOriginNode() throws Exception {
    start(3);
    Path input = random("replicated.bin", 2 << 20);
    try (RayFile in = rt.put(input, PutOptions.defaults().replicas(2))) {
      int holders = 0;
      for (LocalCluster.Node n : cluster.nodes()) {
        try (NodeClient c = n.client()) {
          if (c.list().contents().stream().anyMatch(i -> i.id().equals(ContentId.parse(in.id())) && i.complete())) {
            holders++;
          }
        }
      }
      assertEquals(2, holders, "put returned with 2 copies");
      cluster.nodes().get(0).process().kill9(); // the origin (the driver's node)
      awaitGone("n0");
      for (String node : List.of("n1", "n2")) {
        try (FileRef r = rt.task(ItTasks::reverse, in, "x").options(TaskOptions.defaults().onNode(node)).remote()) {
          r.get(Duration.ofMinutes(1));
        }
      }
    }
  }

  @Test
  void preheatReadsTheOriginAboutOnceAndTasksThenHitTheNodeCache() throws Exception {
    start(4);
    int size = 48 << 20;
    Path input = random("model.bin", size);
    try (RayFile in = rt.put(input)) {
      double served0 = cluster.nodes().get(0).metric("rayfile_peer_served_bytes_total");
      Map<String, String> result = rt.preheat(in.id(), n -> true, (n, o) -> { });
      assertEquals(4, result.size(), result.toString());
      assertTrue(result.values().stream().noneMatch(v -> v.startsWith("error")), result.toString());
      double origin = cluster.nodes().get(0).metric("rayfile_peer_served_bytes_total") - served0;
      assertTrue(origin <= 1.1 * size, "origin served " + origin / size + " copies");
      long nodeHitsBefore = rt.stats().hits().get("node");
      for (String node : List.of("n1", "n2", "n3")) {
        try (FileRef r = rt.task(ItTasks::reverse, in, "y").options(TaskOptions.defaults().onNode(node)).remote()) {
          r.get(Duration.ofMinutes(1));
        }
      }
      assertEquals(nodeHitsBefore + 3, rt.stats().hits().get("node"), "every task found its input in the store");
    }
  }

  @Test
  void pinnedDataFillingTheQuotaFailsNewDownloadsAndLosesNothing() throws Exception {
    cluster = new LocalCluster(tmp.resolve("cluster"));
    cluster.startHead();
    cluster.startNode("n0");
    cluster.startNode("n1", "--quota", "40MiB");
    rt = cluster.driver("n0");
    try (RayFile first = rt.put(random("first.bin", 24 << 20));
        RayFile second = rt.put(random("second.bin", (24 << 20) + 1)); // other bytes (writeRandom is seeded)
        FileRef ok = rt.task(ItTasks::digest, first).options(TaskOptions.defaults().onNode("n1")).remote()) {
      ok.get(Duration.ofMinutes(1)); // n1 now pins `first` (24 MiB of its 40) for as long as it is alive
      try (NodeClient c = cluster.nodes().get(1).client()) {
        NodeClient.Listing l = c.list();
        assertTrue(l.usage().pinnedBytes() >= 24 << 20, "n1 pins the first file: " + l.usage() + " " + l.contents());
        assertEquals(40 << 20, l.usage().quotaBytes(), "n1's quota");
      }
      FileRef full = rt.task(ItTasks::digest, second)
          .options(TaskOptions.defaults().onNode("n1").maxRetries(0)).remote();
      RayFileException e = assertThrows(RayFileException.class, () -> full.get(Duration.ofMinutes(1)), () -> {
        try (NodeClient c = cluster.nodes().get(1).client()) {
          return "n1 took the second file too: " + c.list().usage() + " " + c.list().contents();
        }
      });
      assertTrue(e.getMessage().contains("quota") || e.getMessage().contains("QUOTA"), e.getMessage());
      try (NodeClient c = cluster.nodes().get(1).client()) {
        assertTrue(c.stat(ContentId.parse(first.id()), true).verify().orElseThrow().ok(), "the pinned file is intact");
      }
    }
  }
}
