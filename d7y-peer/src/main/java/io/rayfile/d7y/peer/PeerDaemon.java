package io.rayfile.d7y.peer;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.rayfile.d7y.peer.download.DownloadEngine;
import io.rayfile.d7y.peer.download.GrpcScheduling;
import io.rayfile.d7y.peer.download.Holdings;
import io.rayfile.d7y.peer.download.PeerIdentity;
import io.rayfile.d7y.peer.download.Scheduling;
import io.rayfile.d7y.peer.grpc.LocalApiServer;
import io.rayfile.d7y.peer.metrics.PeerMetrics;
import io.rayfile.d7y.peer.source.HttpSourceBackend;
import io.rayfile.d7y.peer.source.HttpSourceSettings;
import io.rayfile.d7y.peer.source.OriginFetchSettings;
import io.rayfile.d7y.peer.source.OriginFetcher;
import io.rayfile.d7y.peer.source.SourceRegistry;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.EvictionResult;
import io.rayfile.d7y.peer.storage.StoreSettings;
import io.rayfile.d7y.peer.transfer.ClientSettings;
import io.rayfile.d7y.peer.transfer.PieceClient;
import io.rayfile.d7y.peer.transfer.PieceServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node daemon: owns the data directory (exclusively, through a lock file), the content store, the data
 * plane (serving pieces to other peers), the download engine, the local API, metrics and the background eviction
 * and scheduler heartbeat. Writes {@code <data>/daemon.json} ({@code pid}, {@code api}, {@code data},
 * {@code metrics}, {@code host_id}) once it serves, so scripts and tests find the ports it bound.
 */
public final class PeerDaemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerDaemon.class);

  /** Name of the file announcing a running daemon's pid and addresses. */
  public static final String DAEMON_FILE = "daemon.json";

  private final PeerSettings settings;
  private final Deque<AutoCloseable> resources;
  private final ContentStore store;
  private final LocalApiServer api;
  private final PieceServer pieces;
  private final PeerMetrics metrics;
  private final Optional<HTTPServer> metricsHttp;
  private final PeerIdentity identity;
  private final Holdings holdings;
  private final NodeContents contents;
  private final CountDownLatch closed = new CountDownLatch(1);

  private PeerDaemon(PeerSettings settings, Deque<AutoCloseable> resources, ContentStore store, LocalApiServer api,
      PieceServer pieces, PeerMetrics metrics, Optional<HTTPServer> metricsHttp, PeerIdentity identity,
      Holdings holdings, NodeContents contents) {
    this.settings = settings;
    this.contents = contents;
    this.resources = resources;
    this.store = store;
    this.api = api;
    this.pieces = pieces;
    this.metrics = metrics;
    this.metricsHttp = metricsHttp;
    this.identity = identity;
    this.holdings = holdings;
  }

  /**
   * Locks the data directory, opens the store with {@code openStore}, starts the data plane, the download engine,
   * the local API, metrics and the background loops, and announces itself in {@code daemon.json}.
   *
   * @throws PeerException UNAVAILABLE when another daemon holds the data directory or a port is taken
   */
  public static PeerDaemon start(PeerSettings settings, Function<StoreSettings, ContentStore> openStore) {
    Path data = settings.dataDir().toAbsolutePath();
    Deque<AutoCloseable> resources = new ArrayDeque<>(); // closed in reverse order of opening
    try {
      Files.createDirectories(data);
      FileChannel lockChannel = FileChannel.open(data.resolve("daemon.lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      resources.push(lockChannel);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new PeerException(ErrorCode.UNAVAILABLE,
            "another daemon is using " + data + "; stop it first or give this one its own --data directory");
      }
      ContentStore store = openStore.apply(settings.store());
      resources.push(store);
      PeerMetrics metrics = new PeerMetrics();
      PieceServer pieces = PieceServer.start(settings.data(), store, settings.upload(), metrics);
      resources.push(pieces);
      PeerIdentity identity = new PeerIdentity(hostId(settings), InetAddress.getLocalHost().getHostName(),
          advertiseIp(settings), pieces.port(), settings.labels().region(), settings.labels().zone(),
          settings.labels().nodepool(), settings.upload().uploadSlots(), settings.upload().uploadRate());
      Optional<Scheduling> scheduling = settings.schedulers().isEmpty()
          ? Optional.empty() : Optional.of(new GrpcScheduling(settings.schedulers(), identity));
      scheduling.ifPresent(resources::push);
      PieceClient client = PieceClient.create(ClientSettings.defaults(), metrics);
      resources.push(client);
      HttpSourceBackend http = new HttpSourceBackend(HttpSourceSettings.defaults());
      resources.push(http);
      SourceRegistry sources = SourceRegistry.of(http);
      OriginFetcher origins = new OriginFetcher(sources, new OriginFetchSettings(
          OriginFetchSettings.defaults().parallelism(), settings.download().originTimeout()));
      resources.push(origins);
      DownloadEngine engine = new DownloadEngine(store, client, scheduling, Optional.of(origins), sources,
          settings.download(), metrics, identity.hostId());
      resources.push(engine);
      Holdings holdings = new Holdings(store, scheduling);
      NodeContents contents = new NodeContents(store, engine, holdings);
      LocalApiServer api = LocalApiServer.start(contents, holdings, settings.api(), Clock.systemUTC());
      resources.push(api);
      Optional<HTTPServer> metricsHttp = Optional.empty();
      if (settings.metricsPort() >= 0) {
        HTTPServer http2 = HTTPServer.builder().hostname(settings.api().host()).port(settings.metricsPort())
            .registry(metrics.prometheusRegistry()).buildAndStart();
        resources.push(http2);
        metricsHttp = Optional.of(http2);
      }
      ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rayfile-background");
        t.setDaemon(true);
        return t;
      });
      resources.push(background::shutdownNow);
      PeerDaemon daemon = new PeerDaemon(settings, resources, store, api, pieces, metrics, metricsHttp, identity,
          holdings, contents);
      long every = settings.evictInterval().toMillis();
      background.scheduleWithFixedDelay(daemon::evictQuietly, every, every, TimeUnit.MILLISECONDS);
      background.execute(holdings::announceAll); // a restarted node is a seed of what it kept
      background.scheduleWithFixedDelay(() -> quietly(holdings::heartbeat), 10, 10, TimeUnit.SECONDS);
      daemon.announce();
      log.info("node daemon {} serving {}: api {}, data {}:{}, schedulers {} (pid {})", identity.hostId(), data,
          daemon.apiAddress(), identity.ip(), identity.dataPort(), settings.schedulers(),
          ProcessHandle.current().pid());
      return daemon;
    } catch (IOException e) {
      closeAll(resources);
      throw new PeerException(ErrorCode.IO_ERROR, "cannot start the daemon in " + data + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  /** The host id kept in the data directory, so a restarted node is the same host to the scheduler. */
  private static String hostId(PeerSettings settings) throws IOException {
    if (settings.hostId().isPresent()) {
      return settings.hostId().get();
    }
    Path file = settings.dataDir().resolve("host-id");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    String id = "node-" + UUID.randomUUID().toString().substring(0, 8);
    Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
    return id;
  }

  private static String advertiseIp(PeerSettings settings) throws IOException {
    if (!settings.advertiseIp().isEmpty()) {
      return settings.advertiseIp();
    }
    InetAddress bind = InetAddress.getByName(settings.data().host());
    return bind.isAnyLocalAddress() ? InetAddress.getLocalHost().getHostAddress() : bind.getHostAddress();
  }

  /** The address the local API actually bound. */
  public HostPort apiAddress() {
    return new HostPort(settings.api().host(), api.port());
  }

  /** The data-plane address other peers use. */
  public HostPort dataAddress() {
    return new HostPort(identity.ip(), identity.dataPort());
  }

  /** Whole-content operations (import and announce, fetch trees, pin trees), for an in-process runtime. */
  public NodeContents contents() {
    return contents;
  }

  /** The id this node has towards schedulers (kept in the data directory across restarts). */
  public String hostId() {
    return identity.hostId();
  }

  public ContentStore store() {
    return store;
  }

  public PeerMetrics metrics() {
    return metrics;
  }

  public PeerSettings settings() {
    return settings;
  }

  /** Blocks until {@link #close()} is called (by a shutdown hook, for instance). */
  public void awaitClose() throws InterruptedException {
    closed.await();
  }

  private void announce() throws IOException {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("pid", ProcessHandle.current().pid());
    info.put("api", apiAddress().toString());
    info.put("data", dataAddress().toString());
    info.put("metrics", metricsHttp.map(h -> settings.api().host() + ":" + h.getPort()).orElse(""));
    info.put("host_id", identity.hostId());
    DaemonProcess.announce(settings.dataDir(), info);
  }

  private void evictQuietly() {
    try {
      List<ContentInfo> before = store.list();
      EvictionResult r = store.evict(Clock.systemUTC().instant());
      if (!r.evicted().isEmpty()) {
        log.info("evicted {} contents, {} freed", r.evicted().size(), ByteSize.format(r.freedBytes()));
        holdings.dropped(before.stream().filter(c -> r.evicted().contains(c.id())).toList());
      }
    } catch (RuntimeException e) {
      log.warn("eviction pass failed: {}", e.toString());
    }
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("background task failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    try {
      Files.deleteIfExists(settings.dataDir().resolve(DAEMON_FILE));
    } catch (IOException e) {
      log.debug("cannot remove {}", DAEMON_FILE, e);
    }
    closeAll(resources);
    closed.countDown();
    log.info("node daemon stopped");
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      AutoCloseable r = resources.pop();
      try {
        r.close();
      } catch (Exception e) {
        log.debug("closing {} failed", r, e);
      }
    }
  }
}
