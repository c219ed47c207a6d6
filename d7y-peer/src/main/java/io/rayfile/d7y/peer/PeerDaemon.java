package io.rayfile.d7y.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rayfile.d7y.peer.grpc.LocalApiServer;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.EvictionResult;
import io.rayfile.d7y.peer.storage.StoreSettings;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node daemon: owns the data directory (exclusively, through a lock file), the content store, the local
 * API and the background eviction pass. Writes {@code <data>/daemon.json} ({@code pid}, {@code api}) once it
 * serves, so scripts and tests find the port it bound.
 */
public final class PeerDaemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerDaemon.class);

  /** Name of the file announcing a running daemon's pid and addresses. */
  public static final String DAEMON_FILE = "daemon.json";

  private final PeerSettings settings;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ContentStore store;
  private final LocalApiServer api;
  private final ScheduledExecutorService background;
  private final CountDownLatch closed = new CountDownLatch(1);

  private PeerDaemon(PeerSettings settings, FileChannel lockChannel, FileLock lock, ContentStore store,
      LocalApiServer api, ScheduledExecutorService background) {
    this.settings = settings;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.store = store;
    this.api = api;
    this.background = background;
  }

  /**
   * Locks the data directory, opens the store with {@code openStore}, starts the local API and the eviction
   * loop, and announces itself in {@code daemon.json}.
   *
   * @throws PeerException UNAVAILABLE when another daemon holds the data directory or the port is taken
   */
  public static PeerDaemon start(PeerSettings settings, Function<StoreSettings, ContentStore> openStore) {
    Path data = settings.dataDir().toAbsolutePath();
    FileChannel lockChannel = null;
    ContentStore store = null;
    try {
      Files.createDirectories(data);
      lockChannel = FileChannel.open(data.resolve("daemon.lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
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
      store = openStore.apply(settings.store());
      LocalApiServer api = LocalApiServer.start(store, settings.api(), Clock.systemUTC());
      ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rayfile-evictor");
        t.setDaemon(true);
        return t;
      });
      PeerDaemon daemon = new PeerDaemon(settings, lockChannel, lock, store, api, background);
      long every = settings.evictInterval().toMillis();
      background.scheduleWithFixedDelay(daemon::evictQuietly, every, every, TimeUnit.MILLISECONDS);
      daemon.announce();
      log.info("node daemon serving {} on {} (pid {})", data, daemon.apiAddress(), ProcessHandle.current().pid());
      return daemon;
    } catch (IOException e) {
      closeQuietly(store, lockChannel);
      throw new PeerException(ErrorCode.IO_ERROR, "cannot start the daemon in " + data + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(store, lockChannel);
      throw e;
    }
  }

  /** The address the local API actually bound. */
  public HostPort apiAddress() {
    return new HostPort(settings.api().host(), api.port());
  }

  public ContentStore store() {
    return store;
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
    Path file = settings.dataDir().resolve(DAEMON_FILE);
    Path tmp = settings.dataDir().resolve(DAEMON_FILE + ".tmp");
    Files.write(tmp, new ObjectMapper().writeValueAsBytes(info));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void evictQuietly() {
    try {
      EvictionResult r = store.evict(Clock.systemUTC().instant());
      if (!r.evicted().isEmpty()) {
        log.info("evicted {} contents, {} freed", r.evicted().size(), ByteSize.format(r.freedBytes()));
      }
    } catch (RuntimeException e) {
      log.warn("eviction pass failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    background.shutdownNow();
    api.close();
    try {
      Files.deleteIfExists(settings.dataDir().resolve(DAEMON_FILE));
    } catch (IOException e) {
      log.debug("cannot remove {}", DAEMON_FILE, e);
    }
    store.close();
    try {
      lock.release();
    } catch (IOException e) {
      log.debug("cannot release the data directory lock", e);
    }
    closeQuietly(null, lockChannel);
    closed.countDown();
    log.info("node daemon stopped");
  }

  private static void closeQuietly(ContentStore store, FileChannel channel) {
    if (store != null) {
      try {
        store.close();
      } catch (RuntimeException e) {
        log.debug("closing the store failed", e);
      }
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        log.debug("closing the lock file failed", e);
      }
    }
  }
}
