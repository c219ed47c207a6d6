package io.rayfile.cli;

import io.rayfile.api.RayFileException;
import io.rayfile.runtime.driver.DriverRuntime;
import java.time.Duration;
import java.util.Optional;
import io.rayfile.d7y.peer.DaemonProcess;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.grpc.NodeClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real processes on loopback: schedulers and node daemons, each a separate JVM running this jar's {@code rayfile}
 * command with its own data directory and ports (all bound to 127.0.0.1, port 0). Used by the benchmarks, the
 * demo and every multi-process integration test; {@link #close()} kills every process it started.
 */
public final class LocalCluster implements AutoCloseable {
  private final Path root;
  private final List<String> nodeArgs;
  private final List<DaemonProcess> processes = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<DaemonProcess> schedulers = new ArrayList<>();
  private DaemonProcess head;

  /** A running node. */
  public record Node(String name, DaemonProcess process) {
    public HostPort api() {
      return process.api();
    }

    /** Its data-plane address (what other peers fetch from). */
    public HostPort data() {
      return HostPort.parse(process.announced("data"));
    }

    public Path dataDir() {
      return process.dataDir();
    }

    public NodeClient client() {
      return NodeClient.connect(process.api());
    }

    /** Its Prometheus counters and gauges by name (labels dropped, values of one name summed). */
    public Map<String, Double> metrics() {
      return LocalCluster.metrics(process);
    }

    public double metric(String name) {
      return metrics().getOrDefault(name, 0.0);
    }
  }

  /** A process's Prometheus counters and gauges by name (labels dropped, values of one name summed). */
  public static Map<String, Double> metrics(DaemonProcess process) {
    String address = process.announced("metrics");
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://" + address + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      Map<String, Double> m = new LinkedHashMap<>();
      for (String line : r.body().split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int space = line.lastIndexOf(' ');
        String name = line.substring(0, space);
        int brace = name.indexOf('{');
        m.merge(brace < 0 ? name : name.substring(0, brace), Double.parseDouble(line.substring(space + 1)),
            Double::sum);
      }
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public LocalCluster(Path root) {
    this(root, List.of());
  }

  /** A cluster whose every node also gets {@code nodeArgs} (e.g. {@code --direct-io}). */
  public LocalCluster(Path root, List<String> nodeArgs) {
    this.root = root;
    this.nodeArgs = List.copyOf(nodeArgs);
  }

  /** Starts a scheduler instance; nodes started afterwards use every instance started so far. */
  public HostPort startScheduler(String... extraArgs) {
    String name = schedulers.isEmpty() ? "scheduler" : "scheduler" + schedulers.size();
    Path dir = root.resolve(name);
    List<String> args = new ArrayList<>(List.of("scheduler", "--port", "0", "--data", dir.toString()));
    args.addAll(List.of(extraArgs));
    DaemonProcess p = start(dir, args, name + ".log");
    schedulers.add(p);
    return p.api();
  }

  /**
   * Starts the cluster head (scheduler + job registry); nodes started afterwards join it and run tasks.
   *
   * @return the address drivers connect to
   */
  public String startHead(String... extraArgs) {
    Path dir = root.resolve("head");
    List<String> args = new ArrayList<>(List.of("head", "--port", "0", "--scheduler-port", "0", "--data",
        dir.toString()));
    args.addAll(List.of(extraArgs));
    head = start(dir, args, "head.log");
    return head.api().toString();
  }

  /**
   * Joins the cluster as a driver whose puts and fetches go to node {@code localNode}, once every node started so
   * far has joined. The caller closes it (before {@link #close()}).
   */
  public DriverRuntime driver(String localNode) {
    if (head == null) {
      throw new IllegalStateException("start the head first");
    }
    DriverRuntime rt = DriverRuntime.connect(head.api().toString(), Optional.of(localNode));
    try {
      if (!rt.directory().awaitNodes(nodes.size(), Duration.ofSeconds(60))) {
        rt.close();
        throw new RayFileException(RayFileException.Code.UNAVAILABLE, "only " + rt.directory().nodes().size()
            + " of " + nodes.size() + " nodes joined the cluster within 60 s; see the logs under " + root);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      rt.close();
      throw new RayFileException(RayFileException.Code.UNAVAILABLE, "interrupted while waiting for the nodes");
    }
    return rt;
  }

  /** The head process, if started. */
  public DaemonProcess head() {
    return head;
  }

  /** The first scheduler instance. */
  public DaemonProcess scheduler() {
    return schedulers.get(0);
  }

  public List<DaemonProcess> schedulers() {
    return List.copyOf(schedulers);
  }

  /** Starts a node daemon registered with the scheduler (if one runs); extra args e.g. --upload-rate. */
  public Node startNode(String name, String... extraArgs) {
    Path dir = root.resolve(name);
    List<String> args = new ArrayList<>(List.of("node", "--data", dir.toString(), "--api-port", "0",
        "--data-host", "127.0.0.1", "--data-port", "0", "--evict-interval", "PT1H"));
    if (head != null) {
      args.addAll(List.of("--head", head.api().toString(), "--host-id", name));
    } else if (!schedulers.isEmpty()) {
      args.addAll(List.of("--scheduler",
          String.join(",", schedulers.stream().map(p -> p.api().toString()).toList())));
    }
    args.addAll(nodeArgs);
    args.addAll(List.of(extraArgs));
    Node node = new Node(name, start(dir, args, name + ".log"));
    nodes.add(node);
    return node;
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  private DaemonProcess start(Path dir, List<String> args, String log) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    DaemonProcess p = DaemonProcess.start(Main.class.getName(), args, dir, root.resolve(log));
    processes.add(p);
    return p;
  }

  @Override
  public void close() {
    processes.forEach(DaemonProcess::close);
  }
}
