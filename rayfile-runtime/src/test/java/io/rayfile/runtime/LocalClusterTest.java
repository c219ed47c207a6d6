package io.rayfile.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.api.FileRef;
import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import io.rayfile.api.RayFileRuntime;
import io.rayfile.api.TaskContext;
import io.rayfile.api.TaskFailedException;
import io.rayfile.api.TaskOptions;
import io.rayfile.runtime.driver.DriverRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole runtime in one JVM ({@code RayFile.local}): tasks, futures, fetches and release. */
class LocalClusterTest {
  static RayFileRuntime rt;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() {
    rt = RayFile.local(2);
  }

  @AfterAll
  static void stop() {
    if (rt != null) {
      rt.close();
    }
  }

  /** A task: upper-cases a text file. */
  public static Path upper(Path in) throws IOException {
    Path out = TaskContext.current().scratchDir().resolve("upper.txt");
    Files.writeString(out, Files.readString(in).toUpperCase(java.util.Locale.ROOT));
    return out;
  }

  /** A task: concatenates two files with a separator. */
  public static Path join(Path a, Path b, String sep) throws IOException {
    Path out = TaskContext.current().scratchDir().resolve("joined.txt");
    Files.writeString(out, Files.readString(a) + sep + Files.readString(b));
    return out;
  }

  /** A task that fails. */
  public static Path boom(Path in) {
    throw new IllegalStateException("boom on " + in.getFileName());
  }

  /** A task making a directory. */
  public static Path dir(Path in, Integer copies) throws IOException {
    Path d = TaskContext.current().scratchDir().resolve("copies");
    Files.createDirectories(d.resolve("sub"));
    for (int i = 0; i < copies; i++) {
      Files.copy(in, d.resolve("sub").resolve("c" + i + ".txt"));
    }
    return d;
  }

  @Test
  void chainOfTasksOnTwoNodesThenEverythingIsFreed() throws Exception {
    Path input = tmp.resolve("hello.txt");
    Files.writeString(input, "hello");
    try (RayFile hello = rt.put(input)) {
      FileRef up = rt.task(LocalClusterTest::upper, hello).remote();
      FileRef onOther = rt.task(LocalClusterTest::upper, up).options(TaskOptions.defaults().onNode("node-1")).remote();
      FileRef joined = rt.task(LocalClusterTest::join, up, onOther, "+").remote();
      Path local = joined.fetch().get();
      assertEquals("HELLO+HELLO", Files.readString(local, StandardCharsets.UTF_8));
      assertTrue(!Files.getPosixFilePermissions(local).contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
          "fetched paths are read-only");
      FileRef d = rt.task(LocalClusterTest::dir, joined, 3).remote();
      Path tree = d.fetch().get();
      assertEquals(3, Files.list(tree.resolve("sub")).count());
      assertEquals("HELLO+HELLO", Files.readString(tree.resolve("sub/c2.txt")));
      for (FileRef r : List.of(up, onOther, joined, d)) {
        r.close();
      }
    }
    DriverRuntime driver = (DriverRuntime) rt;
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> driver.stats().pinnedBytes() == 0);
  }

  @Test
  void aFailingTaskCarriesTheRemoteCause() throws Exception {
    Path input = tmp.resolve("x.txt");
    Files.writeString(input, "x");
    try (RayFile x = rt.put(input); FileRef bad = rt.task(LocalClusterTest::boom, x).remote()) {
      TaskFailedException e = assertThrows(TaskFailedException.class, () -> bad.get(Duration.ofSeconds(30)));
      assertTrue(e.getCause().getMessage().contains("boom on x.txt"), e.getMessage());
      FileRef after = rt.task(LocalClusterTest::upper, bad).remote();
      RayFileException e2 = assertThrows(RayFileException.class, () -> after.get(Duration.ofSeconds(30)));
      assertEquals(RayFileException.Code.TASK_FAILED, e2.code());
    }
  }

  @Test
  void badCallsAreRefusedClearly() {
    Path input = tmp.resolve("missing.txt");
    RayFileException e = assertThrows(RayFileException.class, () -> rt.put(input));
    assertEquals(RayFileException.Code.INVALID_ARGUMENT, e.code());
    RayFileException e2 = assertThrows(RayFileException.class,
        () -> rt.task(LocalClusterTest::upper, "not a file").remote());
    assertTrue(e2.getMessage().contains("must be a RayFile or FileRef"), e2.getMessage());
  }
}
