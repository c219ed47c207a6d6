package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerDaemon;
import io.rayfile.d7y.peer.PeerSettings;
import io.rayfile.d7y.peer.storage.FileContentStore;
import io.rayfile.d7y.peer.storage.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rayfile node}: run a node daemon in the foreground until SIGTERM/SIGINT. */
@Command(name = "node", description = "Run a node daemon: the content store and its local API (loopback only "
    + "by default). Stops cleanly on SIGTERM / Ctrl-C; a SIGKILL loses nothing that was committed.")
final class NodeCommand implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ~/.rayfile/node).")
  Path data = Path.of(System.getProperty("user.home"), ".rayfile", "node");

  @Option(names = "--api-host", paramLabel = "HOST",
      description = "Address of the local API (default 127.0.0.1). Anything but loopback exposes the node's "
          + "file system to that network.")
  String apiHost = "127.0.0.1";

  @Option(names = "--api-port", paramLabel = "PORT",
      description = "Port of the local API (default " + PeerSettings.DEFAULT_API_PORT + "; 0 picks a free one, "
          + "written to DIR/daemon.json).")
  int apiPort = PeerSettings.DEFAULT_API_PORT;

  @Option(names = "--quota", paramLabel = "SIZE", description = "Store quota, e.g. 50GiB (default: 90% of the disk).")
  String quota;

  @Option(names = "--high-watermark", description = "Eviction starts above this fraction of the quota (0.90).")
  double high = 0.90;

  @Option(names = "--low-watermark", description = "Eviction stops below this fraction of the quota (0.75).")
  double low = 0.75;

  @Option(names = "--ttl", paramLabel = "DURATION",
      description = "Evict unpinned contents idle longer than this, ISO-8601 (e.g. PT24H); default: never.")
  Duration ttl = Duration.ZERO;

  @Option(names = "--evict-interval", paramLabel = "DURATION", description = "Eviction pass period (PT30S).")
  Duration evictInterval = Duration.ofSeconds(30);

  @Override
  public Integer call() throws InterruptedException {
    StoreSettings store = StoreSettings.defaults(data).withWatermarks(high, low).withTtl(ttl);
    if (quota != null) {
      store = store.withQuotaBytes(ByteSize.parse(quota).bytes());
    }
    PeerSettings settings = new PeerSettings(store, new HostPort(apiHost, apiPort), evictInterval);
    PeerDaemon daemon = PeerDaemon.start(settings, FileContentStore::open);
    Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "rayfile-shutdown"));
    System.err.printf("rayfile node: serving %s on %s, quota %s%n", settings.dataDir().toAbsolutePath(),
        daemon.apiAddress(), ByteSize.format(store.quotaBytes()));
    daemon.awaitClose();
    return 0;
  }
}
