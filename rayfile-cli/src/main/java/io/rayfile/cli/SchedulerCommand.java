package io.rayfile.cli;

import io.rayfile.d7y.peer.DaemonProcess;
import io.rayfile.d7y.scheduler.SchedulerServer;
import io.rayfile.d7y.scheduler.SchedulerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rayfile scheduler}: run a P2P scheduler in the foreground. */
@Command(name = "scheduler", description = "Run a P2P scheduler: it tells downloading nodes which peers to fetch "
    + "from, and lets at most K per nodepool read an origin. It keeps no state on disk.")
final class SchedulerCommand implements Callable<Integer> {
  @Option(names = "--port", description = "gRPC port (default 8002; 0 picks a free one).")
  int port = 8002;

  @Option(names = "--metrics-host", description = "Address of /metrics (default 127.0.0.1).")
  String metricsHost = "127.0.0.1";

  @Option(names = "--metrics-port", description = "Port of /metrics (default 0 = any free; -1 = off).")
  int metricsPort = 0;

  @Option(names = "--back-to-source", paramLabel = "K",
      description = "Peers per content and nodepool that may read the origin at once (default 1).")
  int backToSource = 1;

  @Option(names = "--heartbeat-timeout", paramLabel = "DURATION",
      description = "Silence after which a node or download is dropped, ISO-8601 (default PT30S).")
  Duration heartbeatTimeout = Duration.ofSeconds(30);

  @Option(names = "--data", paramLabel = "DIR",
      description = "Where to write daemon.json (pid, port) for scripts; nothing else is kept.")
  Path data;

  @Override
  public Integer call() throws Exception {
    SchedulerSettings settings = SchedulerSettings.defaults().toBuilder()
        .metricsHost(metricsHost).metricsPort(metricsPort)
        .backToSourcePerNodepool(backToSource).heartbeatTimeout(heartbeatTimeout)
        .build();
    SchedulerServer server = SchedulerServer.start(port, settings);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "rayfile-scheduler-shutdown"));
    if (data != null) {
      Files.createDirectories(data);
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("pid", ProcessHandle.current().pid());
      info.put("api", "127.0.0.1:" + server.port());
      info.put("metrics", server.metricsPort() < 0 ? "" : metricsHost + ":" + server.metricsPort());
      DaemonProcess.announce(data, info);
    }
    System.err.printf("rayfile scheduler: listening on port %d%n", server.port());
    server.awaitTermination();
    return 0;
  }
}
