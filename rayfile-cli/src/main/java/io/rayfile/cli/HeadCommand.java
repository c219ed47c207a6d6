package io.rayfile.cli;

import io.rayfile.d7y.peer.DaemonProcess;
import io.rayfile.d7y.scheduler.SchedulerSettings;
import io.rayfile.runtime.head.HeadRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rayfile head}: the cluster's head (scheduler, job registry, GC anchor) in the foreground. */
@Command(name = "head", description = "Run the cluster head: the P2P scheduler, the job registry and the GC anchor. "
    + "Nodes join with `rayfile node --head HOST:PORT`, drivers with RayFile.connect(\"HOST:PORT\").")
final class HeadCommand implements Callable<Integer> {
  @Option(names = "--host", description = "Address to bind and advertise (default 127.0.0.1).")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "Cluster port (default 2552; 0 picks a free one).")
  int port = 2552;

  @Option(names = "--scheduler-port", description = "The scheduler's gRPC port (default 8002; 0: any free one).")
  int schedulerPort = 8002;

  @Option(names = "--back-to-source", description = "Peers per nodepool sent to an origin while nobody holds a "
      + "content (default 1).")
  int backToSource = 1;

  @Option(names = "--data", paramLabel = "DIR", description = "Where to write daemon.json with the bound ports.")
  Path data;

  @Override
  public Integer call() throws Exception {
    SchedulerSettings scheduler = SchedulerSettings.defaults().toBuilder().metricsHost(host)
        .backToSourcePerNodepool(backToSource).build();
    HeadRuntime head = HeadRuntime.start(new HeadRuntime.Settings(host, port, schedulerPort, scheduler));
    Runtime.getRuntime().addShutdownHook(new Thread(head::close, "rayfile-head-shutdown"));
    if (data != null) {
      Files.createDirectories(data);
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("pid", ProcessHandle.current().pid());
      info.put("api", head.address());
      info.put("scheduler", host + ":" + head.schedulerPort());
      info.put("metrics", head.scheduler().metricsPort() < 0 ? "" : host + ":" + head.scheduler().metricsPort());
      DaemonProcess.announce(data, info);
    }
    System.err.printf("rayfile head: cluster at %s, scheduler on port %d%n", head.address(), head.schedulerPort());
    head.awaitTermination();
    return 0;
  }
}
