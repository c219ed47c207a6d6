package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.source.OriginFetcher;
import io.rayfile.d7y.peer.source.SourceBackend;
import io.rayfile.d7y.peer.source.SourceInfo;
import io.rayfile.d7y.peer.source.UrlTask;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.transfer.PieceClient;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Downloads contents into a node's store: from peers the scheduler names, from origins when it says so (or when
 * no scheduler answers), resuming from whatever pieces the store already holds. Concurrent requests for the same
 * content share one download.
 *
 * <pre>{@code
 * DownloadEngine engine = new DownloadEngine(store, client, Optional.of(scheduling), Optional.of(origins), sources,
 *     DownloadSettings.defaults(), metrics, hostId);
 * ContentInfo done = engine.download(DownloadRequest.of(id), (got, total) -> {}).join();
 * }</pre>
 */
public final class DownloadEngine implements AutoCloseable {
  private final ContentDownload.Context ctx;
  private final SourceBackend sources;
  private final ExecutorService pool;
  private final ScheduledExecutorService timer;
  private final Map<ContentId, ContentDownload> running = new ConcurrentHashMap<>();

  public DownloadEngine(ContentStore store, PieceClient client, Optional<Scheduling> scheduling,
      Optional<OriginFetcher> origins, SourceBackend sources, DownloadSettings settings, DownloadMetrics metrics,
      String hostId) {
    this.sources = sources;
    // Actors only enqueue and hand off (no task waits on another): a pool the size of the machine beats a thread
    // per concurrent download, whose handoffs dominated small-file CPU (small-files C=32: 143 -> 199 files/s).
    this.pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
      Thread t = new Thread(r, "rayfile-download");
      t.setDaemon(true);
      return t;
    });
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rayfile-download-timer");
      t.setDaemon(true);
      return t;
    });
    this.ctx = new ContentDownload.Context(store, client, scheduling, origins, settings, metrics, hostId, pool, timer);
  }

  /** Progress of one download. */
  @FunctionalInterface
  public interface Progress {
    void update(long doneBytes, long totalBytes);

    /** One piece arrived, from an origin (back to source) or from a peer. */
    default void received(boolean fromOrigin, int bytes) {}
  }

  /**
   * Makes {@code request}'s content complete in the store. Fails with a {@link PeerException} saying why (no
   * parent and no origin, origin errors, a stall, corrupt data from every source).
   */
  public CompletableFuture<ContentInfo> download(DownloadRequest request, Progress progress) {
    Optional<ContentInfo> have = ctx.store().stat(request.id());
    if (have.isPresent() && have.get().complete()) {
      ctx.metrics().downloadEnded("cached");
      progress.update(have.get().length(), have.get().length());
      return CompletableFuture.completedFuture(have.get());
    }
    Optional<SourceInfo> source = Optional.empty();
    if (request.url().isPresent()) {
      UrlTask task = request.url().get();
      source = Optional.of(sources.probe(task.url(), Map.of(), ctx.settings().originTimeout()));
    }
    Optional<SourceInfo> probed = source;
    ContentDownload d = running.computeIfAbsent(request.id(), k -> {
      ContentDownload created = new ContentDownload(ctx, request, probed);
      created.result().whenComplete((r, e) -> running.remove(k, created));
      created.start();
      return created;
    });
    d.addListener(new ContentDownload.Progress() {
      @Override
      public void update(long doneBytes, long totalBytes) {
        progress.update(doneBytes, totalBytes);
      }

      @Override
      public void received(boolean fromOrigin, int bytes) {
        progress.received(fromOrigin, bytes);
      }
    });
    return d.result();
  }

  /**
   * The URL task for {@code url}: the piece length is the default for the origin's size (so every node computes
   * the same task id), learned with one probe of the origin, unless {@code pieceLength} is given.
   */
  public UrlTask urlTask(URI url, Optional<Integer> pieceLength, Optional<ContentId> expected) {
    if (!sources.supports(url)) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "no origin backend for " + UrlTask.redact(url)
          + " (supported: http, https)");
    }
    int length = pieceLength.orElseGet(() -> io.rayfile.d7y.peer.storage.PieceLayout.defaultPieceLength(
        sources.probe(url, Map.of(), ctx.settings().originTimeout()).length()));
    UrlTask task = UrlTask.of(url, Optional.empty(), length);
    return expected.map(e -> task.withExpectedDigest(e.toString())).orElse(task);
  }

  /** Downloads in progress. */
  public int active() {
    return running.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    pool.shutdownNow();
  }
}
