package io.rayfile.runtime.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.rayfile.api.RayFileException;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.NodeContents;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.runtime.protocol.FileSpec;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node side of the cache hierarchy: worker (a per-worker-thread map) -> job (materialized for this job on
 * this node) -> node (the store) -> peer -> origin. Concurrent requests for the same content share one download
 * (the download engine's job) and one materialization per job.
 */
public final class NodeCache {
  private static final Logger log = LoggerFactory.getLogger(NodeCache.class);

  private final NodeContents contents;
  private final Path jobsRoot;
  private final LevelCounters counters;
  private final Map<String, Map<String, CompletableFuture<Path>>> jobs = new ConcurrentHashMap<>();
  // Per worker thread: what this worker resolved already. Keyed by job and content: a job's paths die with it.
  private final ThreadLocal<Cache<String, Path>> worker = ThreadLocal.withInitial(
      () -> Caffeine.newBuilder().maximumSize(10_000).build());

  public NodeCache(NodeContents contents, Path jobsRoot, LevelCounters counters) {
    this.contents = contents;
    this.jobsRoot = jobsRoot;
    this.counters = counters;
  }

  public LevelCounters counters() {
    return counters;
  }

  /**
   * Makes {@code file} complete in the store (node, peer or origin), without counting a lookup: a task's inputs
   * are prepared while it waits for a worker.
   *
   * @return the level that had it: NODE, PEER or ORIGIN
   */
  public CompletableFuture<CacheLevel> prepare(FileSpec file) {
    ContentId id = ContentId.parse(file.contentId());
    return contents.fetch(id, file.seeds().stream().map(HostPort::parse).toList(), (d, t) -> {})
        .thenApply(f -> f.wasComplete() ? CacheLevel.NODE : f.originBytes() > f.peerBytes() ? CacheLevel.ORIGIN
            : CacheLevel.PEER); // a fetch is a peer hit when peers gave most of its bytes
  }

  /**
   * A read-only local path to a prepared {@code file} for {@code jobId}, counting one lookup: a hit in this worker
   * thread's map, else in the job's materializations, else at {@code prepared} (where {@link #prepare} found it).
   * Blocks only for a materialization (hard links).
   */
  public Path resolve(FileSpec file, String jobId, CacheLevel prepared) {
    String key = jobId + "/" + file.contentId();
    Path known = worker.get().getIfPresent(key);
    if (known != null && Files.exists(known)) {
      counters.served(CacheLevel.WORKER, CacheLevel.WORKER);
      return known;
    }
    Map<String, CompletableFuture<Path>> job = jobs.computeIfAbsent(jobId, j -> new ConcurrentHashMap<>());
    CompletableFuture<Path> mine = new CompletableFuture<>();
    CompletableFuture<Path> existing = job.putIfAbsent(file.contentId(), mine);
    Path path;
    if (existing != null) {
      path = existing.join();
      counters.served(CacheLevel.WORKER, CacheLevel.JOB);
    } else {
      try {
        path = contents.store().materialize(ContentId.parse(file.contentId()), jobPath(jobId, file), false);
        mine.complete(path);
      } catch (RuntimeException e) {
        job.remove(file.contentId(), mine);
        mine.completeExceptionally(e);
        throw e;
      }
      counters.served(CacheLevel.WORKER, prepared);
    }
    worker.get().put(key, path);
    return path;
  }

  /** Deletes what was materialized for a job that ended (links only: the store keeps its bytes). */
  public void jobEnded(String jobId) {
    jobs.remove(jobId);
    Path dir = jobsRoot.resolve(safe(jobId));
    if (Files.exists(dir)) {
      deleteTree(dir);
    }
  }

  private Path jobPath(String jobId, FileSpec file) {
    String hex = file.contentId().substring(file.contentId().indexOf(':') + 1);
    return jobsRoot.resolve(safe(jobId)).resolve(hex.substring(0, Math.min(16, hex.length()))).resolve(safe(file.name()));
  }

  /** A single path segment: names come from other processes, so never let one climb out of its directory. */
  static String safe(String name) {
    String n = name == null ? "" : name.replace('/', '_').replace('\\', '_').replace('\0', '_');
    return n.isEmpty() || n.equals(".") || n.equals("..") ? "file" : n;
  }

  /** Removes a tree whose directories may be read-only (materialized directories are). */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
          d.toFile().setWritable(true, true);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(f);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.toString());
    }
  }

  /** Maps a peer failure to the API's error, naming the file. */
  public static RayFileException toApi(FileSpec file, Throwable t) {
    Throwable c = t;
    while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof RayFileException r) {
      return r;
    }
    RayFileException.Code code = RayFileException.Code.INTERNAL;
    if (c instanceof PeerException pe) {
      code = switch (pe.code()) {
        case NOT_FOUND -> RayFileException.Code.LOST;
        case QUOTA_EXCEEDED, DISK_FULL -> RayFileException.Code.RESOURCE_EXHAUSTED;
        case UNAVAILABLE -> RayFileException.Code.UNAVAILABLE;
        case INVALID_ARGUMENT -> RayFileException.Code.INVALID_ARGUMENT;
        default -> RayFileException.Code.INTERNAL;
      };
    }
    return new RayFileException(code, "cannot get " + file.name() + " (" + file.contentId() + "): "
        + c.getMessage(), c);
  }
}
