package io.rayfile.d7y.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One real daemon process (a separate JVM on this JVM's classpath) with its own data directory. Used by the demo
 * and by every integration test that needs real processes. It binds port 0
 * and announces the port it got in {@code <data>/daemon.json}; {@link #start} waits for that announcement from
 * this very pid, so a restarted daemon is not confused with its killed predecessor.
 */
public final class DaemonProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final List<String> INHERITED_FLAGS = List.of("--add-exports", "--add-opens",
      "--enable-native-access", "--sun-misc-unsafe-memory-access", "-Dchronicle.", "-Djna.tmpdir",
      "-Dproject.build.directory");

  private final String mainClass;
  private final List<String> args;
  private final Path dataDir;
  private final Path log;
  private Process process;
  private HostPort api;
  private JsonNode announcement;

  private DaemonProcess(String mainClass, List<String> args, Path dataDir, Path log) {
    this.mainClass = mainClass;
    this.args = List.copyOf(args);
    this.dataDir = dataDir;
    this.log = log;
  }

  /** System property naming the process whose death ends a daemon started by {@link #start}. */
  public static final String PARENT_PID_PROPERTY = "rayfile.parent-pid";

  /**
   * In a daemon started by {@link #start}: halts this JVM once the parent named by {@link #PARENT_PID_PROPERTY}
   * has exited (a test runner killed mid-test must not leave daemons behind). No-op without the property.
   */
  public static void exitWithParent() {
    String pid = System.getProperty(PARENT_PID_PROPERTY);
    if (pid == null) {
      return;
    }
    java.util.Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(pid));
    if (parent.isEmpty()) {
      Runtime.getRuntime().halt(1);
    }
    parent.get().onExit().thenRun(() -> Runtime.getRuntime().halt(1));
  }

  /**
   * Starts {@code mainClass args...} and waits until it serves.
   *
   * @param dataDir the daemon's data directory (also passed in args by the caller)
   * @param log where the process's stdout and stderr go
   */
  public static DaemonProcess start(String mainClass, List<String> args, Path dataDir, Path log) {
    DaemonProcess d = new DaemonProcess(mainClass, args, dataDir, log);
    d.launch();
    return d;
  }

  /**
   * Announces a running daemon: writes {@code <dir>/daemon.json} atomically (temp file, then rename), so a reader
   * ({@link #start}) never sees half of it. {@code info} should hold at least {@code pid} and {@code api}.
   */
  public static void announce(Path dir, Map<String, Object> info) throws IOException {
    Path tmp = dir.resolve("daemon.json.tmp");
    Files.write(tmp, new ObjectMapper().writeValueAsBytes(info));
    Files.move(tmp, dir.resolve("daemon.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The java command line to run {@code mainClass} on this JVM's classpath, passing on the module-access and
   * Chronicle flags this JVM was started with (the launcher's, or the test runner's argLine).
   */
  public static List<String> javaCommand(String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (INHERITED_FLAGS.stream().anyMatch(flag::startsWith)) {
        cmd.add(flag);
      }
    }
    cmd.add("-Xmx256m");
    // Extra flags for every spawned daemon (a profiler, GC logging), space-separated; later flags win.
    String extra = System.getenv("RAYFILE_DAEMON_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    // The child exits when this process is gone, even after a SIGKILL that skipped every cleanup.
    cmd.add("-D" + PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  private void launch() {
    try {
      Files.createDirectories(dataDir);
      ProcessBuilder pb = new ProcessBuilder(javaCommand(mainClass, args))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      process = pb.start();
      api = awaitAnnouncement();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + mainClass + ": " + e, e);
    }
  }

  private HostPort awaitAnnouncement() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Path file = dataDir.resolve("daemon.json");
    ObjectMapper json = new ObjectMapper();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("daemon exited with " + process.exitValue() + " before serving; log:\n"
            + logTail());
      }
      if (Files.exists(file)) {
        try {
          JsonNode node = json.readTree(file.toFile());
          if (node.path("pid").asLong() == process.pid()) {
            announcement = node;
            return HostPort.parse(node.path("api").asText());
          }
        } catch (IOException partial) {
          // written atomically, but a reader may still race a rename on some file systems: try again
        }
      }
      sleep(50);
    }
    process.destroyForcibly();
    throw new IllegalStateException("daemon did not serve within " + START_TIMEOUT + "; log:\n" + logTail());
  }

  /** The local API address it bound. */
  public HostPort api() {
    return api;
  }

  /** A field of the daemon's {@code daemon.json} (e.g. {@code data}, {@code metrics}, {@code host_id}). */
  public String announced(String field) {
    return announcement.path(field).asText();
  }

  public long pid() {
    return process.pid();
  }

  public Path dataDir() {
    return dataDir;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no flush; what is on disk is what a crash leaves. */
  public void kill9() {
    process.destroyForcibly();
    waitExit();
  }

  /** SIGTERM and wait for a clean exit. */
  public void stop() {
    process.destroy();
    waitExit();
  }

  /** Starts the same command again (same data directory) and waits until it serves. */
  public void restart() {
    if (process.isAlive()) {
      kill9();
    }
    launch();
  }

  /** The last lines of the log, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void waitExit() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill9();
    }
  }
}
