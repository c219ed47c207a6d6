package io.rayfile.cli;

import io.rayfile.runtime.node.NodeRuntime;
import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.Labels;
import io.rayfile.d7y.peer.download.DownloadSettings;
import io.rayfile.d7y.peer.transfer.ServerSettings;
import java.util.List;
import java.util.Optional;
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

  @Option(names = "--direct-io", description = "Write downloaded pieces, read them back for hashing and serve "
      + "them with O_DIRECT, past the page cache: for nodes whose memory belongs to their workloads, or where cache "
      + "pages are dear (VMs). Many small files gain; one big stream loses (docs/storage.md). Falls back to "
      + "buffered I/O where the file system refuses it.")
  boolean directIo;

  @Option(names = "--evict-interval", paramLabel = "DURATION", description = "Eviction pass period (PT30S).")
  Duration evictInterval = Duration.ofSeconds(30);

  @Option(names = "--scheduler", paramLabel = "HOST:PORT", split = ",",
      description = "Scheduler instance(s), comma-separated; contents are spread over them by consistent hash. "
          + "Without one, downloads use only seeds and origins.")
  List<String> schedulers = List.of();

  @Option(names = "--data-host", paramLabel = "HOST",
      description = "Address the data plane (piece uploads to peers) binds (default 0.0.0.0).")
  String dataHost = "0.0.0.0";

  @Option(names = "--data-port", paramLabel = "PORT",
      description = "Data-plane port (default " + PeerSettings.DEFAULT_DATA_PORT + "; 0 picks a free one).")
  int dataPort = PeerSettings.DEFAULT_DATA_PORT;

  @Option(names = "--advertise-ip", paramLabel = "IP",
      description = "Address other peers reach this node's data plane on (default: the data host, or this "
          + "host's address when binding 0.0.0.0).")
  String advertiseIp = "";

  @Option(names = "--upload-rate", paramLabel = "SIZE", description = "Upload byte rate per second for all peers "
      + "together, e.g. 64MiB (default: unlimited).")
  String uploadRate;

  @Option(names = "--upload-slots", paramLabel = "N", description = "Pieces uploaded at once (default 16).")
  int uploadSlots = 16;

  @Option(names = "--region", description = "Locality label.")
  String region = "";

  @Option(names = "--zone", description = "Locality label.")
  String zone = "";

  @Option(names = "--nodepool", description = "Locality label: peers in one nodepool share what one of them "
      + "brought in.")
  String nodepool = "";

  @Option(names = "--host-id", description = "Stable node id (default: kept in DIR/host-id).")
  String hostId;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Prometheus /metrics port on the API host (default 0 = any free, in DIR/daemon.json; -1 = off).")
  int metricsPort = 0;

  @Option(names = "--stall-timeout", paramLabel = "DURATION",
      description = "Fail a download that gets no piece for this long (default PT60S).")
  Duration stallTimeout = Duration.ofSeconds(60);

  @Option(names = "--origin-timeout", paramLabel = "DURATION",
      description = "Fail an origin that sends nothing for this long (default PT30S).")
  Duration originTimeout = Duration.ofSeconds(30);

  @Option(names = "--head", paramLabel = "HOST:PORT", description = "Join the cluster whose head listens here: the "
      + "node then runs tasks too, and uses the head's scheduler unless --scheduler is given.")
  String head;

  @Option(names = "--workers", description = "Tasks run at once (default: one per core, at least 2).")
  int workers = 0;

  @Option(names = "--cluster-host", description = "Address this node binds for the cluster (default 127.0.0.1).")
  String clusterHost = "127.0.0.1";

  @Override
  public Integer call() throws InterruptedException {
    StoreSettings store = StoreSettings.defaults(data).withWatermarks(high, low).withTtl(ttl)
        .withDirectIo(directIo);
    if (quota != null) {
      store = store.withQuotaBytes(ByteSize.parse(quota).bytes());
    }
    ServerSettings upload = ServerSettings.defaults().withUploadSlots(uploadSlots, 256);
    if (uploadRate != null) {
      long rate = ByteSize.parse(uploadRate).bytes();
      upload = upload.withUploadRate(rate, Math.min(rate, 4L << 20));
    }
    PeerSettings settings = new PeerSettings(store, new HostPort(apiHost, apiPort), evictInterval,
        new HostPort(dataHost, dataPort), advertiseIp, schedulers.stream().map(HostPort::parse).toList(), upload,
        new Labels(region, zone, nodepool), Optional.ofNullable(hostId), metricsPort,
        DownloadSettings.defaults().withStallTimeout(stallTimeout).withOriginTimeout(originTimeout));
    if (head != null) {
      NodeRuntime node = NodeRuntime.start(new NodeRuntime.Settings(settings, head, clusterHost, workers));
      Runtime.getRuntime().addShutdownHook(new Thread(node::close, "rayfile-shutdown"));
      System.err.printf("rayfile node: %s joined %s; serving %s on %s (data plane %s), %d workers%n",
          node.description().nodeId(), head, settings.dataDir().toAbsolutePath(), node.daemon().apiAddress(),
          node.daemon().dataAddress(), node.description().workers());
      node.awaitTermination();
      return 0;
    }
    PeerDaemon daemon = PeerDaemon.start(settings, FileContentStore::open);
    Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "rayfile-shutdown"));
    System.err.printf("rayfile node: serving %s on %s (data plane %s), quota %s%n",
        settings.dataDir().toAbsolutePath(), daemon.apiAddress(), daemon.dataAddress(),
        ByteSize.format(store.quotaBytes()));
    daemon.awaitClose();
    return 0;
  }
}
