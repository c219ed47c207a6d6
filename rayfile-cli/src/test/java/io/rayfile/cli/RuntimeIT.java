package io.rayfile.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.api.FileRef;
import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import io.rayfile.api.TaskOptions;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.runtime.driver.ClusterStats;
import io.rayfile.runtime.protocol.NodeStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A head and three nodes, each its own process on loopback; this JVM is the driver. */
class RuntimeIT extends RuntimeClusterTest {
  @Test
  void outputsMoveNodeToNodeThroughAChainAndDirectoriesArriveWhole() throws Exception {
    start(3);
    Path input = random("input.bin", 3 << 20);
    byte[] bytes = Files.readAllBytes(input);
    try (RayFile in = rt.put(input);
        FileRef a = rt.task(ItTasks::reverse, in, "a").options(TaskOptions.defaults().onNode("n1")).remote();
        FileRef b = rt.task(ItTasks::reverse, a, "b").options(TaskOptions.defaults().onNode("n2")).remote();
        FileRef c = rt.task(ItTasks::reverse, b, "c").options(TaskOptions.defaults().onNode("n0")).remote();
        FileRef tree = rt.task(ItTasks::tree, a, 12).options(TaskOptions.defaults().onNode("n2")).remote()) {
      byte[] expected = ItTasks.reverseLocally(ItTasks.reverseLocally(ItTasks.reverseLocally(bytes, "a"), "b"), "c");
      assertArrayEquals(expected, Files.readAllBytes(c.fetch().get(2, java.util.concurrent.TimeUnit.MINUTES)));
      assertArrayEquals(ItTasks.reverseLocally(bytes, "a"), Files.readAllBytes(a.fetch().get(2, java.util.concurrent.TimeUnit.MINUTES)), "fetched from n1");

      Path dir = tree.fetch().get(2, java.util.concurrent.TimeUnit.MINUTES); // made on n2, materialized on n0
      byte[] aBytes = ItTasks.reverseLocally(bytes, "a");
      List<Path> files;
      try (Stream<Path> s = Files.walk(dir)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      assertEquals(12, files.size());
      for (int i = 0; i < 12; i++) {
        Path f = dir.resolve("d" + (i % 4)).resolve("f" + i + ".bin");
        byte[] want = i % 3 == 0 ? aBytes : ItTasks.concat(aBytes, ("#" + i).getBytes());
        assertArrayEquals(want, Files.readAllBytes(f), f.toString());
      }
      try (Stream<Path> siblings = Files.list(dir.getParent())) {
        assertEquals(List.of(dir), siblings.toList(), "no half-built directory next to the materialized one");
      }
      assertEquals(dir, tree.fetch().get(2, java.util.concurrent.TimeUnit.MINUTES), "a second fetch is a worker-cache hit");
      ClusterStats stats = rt.stats();
      assertTrue(stats.hits().get("worker") >= 1, stats.hits().toString());
      assertTrue(stats.hits().get("peer") + stats.hits().get("origin") >= 3, stats.hits().toString());
      double scraped = 0;
      for (LocalCluster.Node n : cluster.nodes()) {
        scraped += n.metric("rayfile_runtime_cache_hits_total");
      }
      long nodeHits = stats.nodes().stream().mapToLong(s -> s.hits().values().stream().mapToLong(Long::longValue)
          .sum()).sum();
      assertEquals(nodeHits, (long) scraped, "the nodes' /metrics count the same cache hits");
    }
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> rt.stats().pinnedBytes() == 0);
  }

  @Test
  void fiveHundredFilesAreFreedEverywhereAndAHeldOneSurvivesEviction() throws Exception {
    start(3, "--ttl", "PT1S");
    List<RayFile> puts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      puts.add(rt.put(random("p" + i + ".bin", 4096 + i)));
    }
    List<FileRef> outputs = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      Object input = i < 300 ? puts.get(i % 50) : outputs.get(i - 300); // later ones chain on earlier outputs
      outputs.add(rt.task(ItTasks::derive, input, i).options(TaskOptions.defaults().spread()).remote());
    }
    for (int i = 0; i < 450; i += 45) {
      assertTrue(Files.size(outputs.get(i).fetch().get(2, java.util.concurrent.TimeUnit.MINUTES)) > 4096);
    }
    rt.wait(outputs, outputs.size(), Duration.ofMinutes(3));
    assertTrue(outputs.stream().allMatch(FileRef::isDone));
    long onNodes = rt.stats().nodes().stream().mapToLong(NodeStats::pinnedBytes).sum();
    assertTrue(onNodes > 0);

    RayFile keep = outputs.get(449).get();
    String keepId = keep.id();
    puts.forEach(RayFile::close);
    outputs.subList(0, 449).forEach(FileRef::close);
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> rt.stats().nodes().stream()
        .mapToInt(NodeStats::liveFiles).sum() <= 2);
    Thread.sleep(1500); // past the 1 s TTL of every unpinned content
    for (LocalCluster.Node n : cluster.nodes()) {
      try (NodeClient c = n.client()) {
        c.evict();
      }
    }
    int holders = 0;
    for (LocalCluster.Node n : cluster.nodes()) {
      try (NodeClient c = n.client()) {
        List<ContentInfo> left = c.list().contents();
        for (ContentInfo info : left) {
          assertTrue(info.pinned(), n.name() + " kept an unpinned content after a forced eviction: " + info.id());
        }
        if (left.stream().anyMatch(i -> i.id().equals(ContentId.parse(keepId)))) {
          holders++;
        }
      }
    }
    assertTrue(holders >= 1, "the held file survived eviction");
    assertTrue(Files.size(outputs.get(449).fetch().get(2, java.util.concurrent.TimeUnit.MINUTES)) > 4096, "and can still be fetched");
    outputs.get(449).close();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rt.stats().pinnedBytes() == 0);
  }

  @Test
  void aBorrowerKilledWithSigkillReleasesItsReferences() throws Exception {
    start(3);
    Path marker = tmp.resolve("holding");
    RayFile file = rt.put(random("borrowed.bin", 1 << 20));
    ContentId id = ContentId.parse(file.id());
    FileRef holder = rt.task(ItTasks::hold, file, marker.toString())
        .options(TaskOptions.defaults().onNode("n1").maxRetries(0)).remote();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(marker));
    file.close(); // the driver drops its handle; n1's task still borrows it
    Thread.sleep(3000);
    assertTrue(pinCount(cluster.nodes().get(0), id) > 0, "still pinned on the origin node while borrowed");

    LocalCluster.Node n1 = cluster.nodes().get(1);
    n1.process().kill9();
    RayFileException lost = assertThrows(RayFileException.class, () -> holder.get(Duration.ofSeconds(60)));
    assertEquals(RayFileException.Code.LOST, lost.code(), lost.getMessage());
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> pinCount(cluster.nodes().get(0), id) == 0);
    Map<String, Long> pinned = rt.stats().nodes().stream()
        .collect(Collectors.toMap(NodeStats::nodeId, NodeStats::pinnedBytes));
    assertEquals(Map.of("n0", 0L, "n2", 0L), pinned, "nothing left pinned on the surviving nodes");
  }

  private static int pinCount(LocalCluster.Node node, ContentId id) {
    try (NodeClient c = node.client()) {
      return c.stat(id, false).content().pinCount();
    }
  }
}
