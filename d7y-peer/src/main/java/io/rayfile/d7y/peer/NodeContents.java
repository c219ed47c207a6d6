package io.rayfile.d7y.peer;

import io.rayfile.d7y.peer.download.DownloadEngine;
import io.rayfile.d7y.peer.download.DownloadRequest;
import io.rayfile.d7y.peer.download.Holdings;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.ImportResult;
import io.rayfile.d7y.peer.storage.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node does with whole contents, for the local API and for an in-process runtime alike: import a path (and
 * announce it, so this node becomes a seed), fetch a file or a whole directory tree (identical files once), pin or
 * unpin a tree. Thread-safe.
 */
public final class NodeContents {
  private static final Logger log = LoggerFactory.getLogger(NodeContents.class);

  /** How many files of a directory download at once. */
  static final int TREE_PARALLEL = 16;

  private final ContentStore store;
  private final DownloadEngine engine;
  private final Holdings holdings;

  public NodeContents(ContentStore store, DownloadEngine engine, Holdings holdings) {
    this.store = store;
    this.engine = engine;
    this.holdings = holdings;
  }

  /**
   * The result of a fetch.
   *
   * @param info the complete content (for a directory: its manifest content)
   * @param wasComplete true when the store already held all of it (nothing was downloaded)
   * @param originBytes bytes read from origins (back to source) by this fetch
   * @param peerBytes bytes read from peers by this fetch
   */
  public record Fetched(ContentInfo info, boolean wasComplete, long originBytes, long peerBytes) {}

  public ContentStore store() {
    return store;
  }

  public DownloadEngine engine() {
    return engine;
  }

  /** Imports a file or directory, then announces it (and a directory's files) to the schedulers. */
  public ImportResult importPath(Path path, boolean move, boolean pin) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new PeerException(ErrorCode.NOT_FOUND, "nothing to import at " + path + ": no such file or directory");
    }
    ImportResult result = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
        ? store.importDirectory(path, move, pin)
        : store.importFile(path, move, pin);
    log.debug("imported {} as {} ({} bytes stored)", path, result.content().id(), result.storedBytes());
    holdings.held(tree(result.content()));
    return result;
  }

  /**
   * Makes {@code id} complete in the store: a file, or a directory manifest and every file it names. Resumes from
   * whatever pieces are already held.
   */
  public CompletableFuture<Fetched> fetch(ContentId id, List<HostPort> seeds, DownloadEngine.Progress progress) {
    Optional<ContentInfo> have = store.stat(id);
    if (have.isPresent() && have.get().complete() && have.get().kind() != ContentKind.DIRECTORY) {
      progress.update(have.get().length(), have.get().length());
      return CompletableFuture.completedFuture(new Fetched(have.get(), true, 0, 0));
    }
    Counting counting = new Counting(progress);
    return engine.download(new DownloadRequest(id, Optional.empty(), seeds), counting)
        .thenCompose(info -> info.kind() == ContentKind.DIRECTORY
            ? new Tree(seeds, counting).run(info) : CompletableFuture.completedFuture(info))
        .thenApply(info -> new Fetched(info, counting.origin.sum() + counting.peers.sum() == 0,
            counting.origin.sum(), counting.peers.sum()));
  }

  /** A content and, for a directory, every distinct file it names. */
  public List<ContentId> tree(ContentInfo c) {
    if (c.kind() != ContentKind.DIRECTORY) {
      return List.of(c.id());
    }
    LinkedHashSet<ContentId> ids = new LinkedHashSet<>();
    ids.add(c.id());
    ids.addAll(manifest(c).fileIds());
    return new ArrayList<>(ids);
  }

  /** Pins a complete content and, for a directory, each distinct file once. */
  public void pinTree(ContentId id) {
    ContentInfo c = known(id);
    for (ContentId part : tree(c)) {
      store.pin(part);
    }
  }

  /** Undoes one {@link #pinTree}. Unknown contents are ignored (they were deleted by force). */
  public void unpinTree(ContentId id) {
    Optional<ContentInfo> c = store.stat(id);
    if (c.isEmpty()) {
      return;
    }
    for (ContentId part : c.get().complete() ? tree(c.get()) : List.of(id)) {
      if (store.stat(part).isPresent()) {
        store.unpin(part);
      }
    }
  }

  /** Parses a complete directory content's manifest (untrusted: strict parser). */
  public Manifest manifest(ContentInfo dir) {
    try {
      return Manifest.parse(Files.readAllBytes(store.readPiece(dir.id(), 0).file()));
    } catch (IOException e) {
      throw new PeerException(ErrorCode.IO_ERROR, "cannot read the manifest " + dir.id() + ": " + e.getMessage(), e);
    }
  }

  private ContentInfo known(ContentId id) {
    return store.stat(id).orElseThrow(() -> new PeerException(ErrorCode.NOT_FOUND,
        "unknown content " + id + ": this node does not hold it"));
  }

  /** Counts where the bytes of one fetch came from, passing progress on. */
  private static final class Counting implements DownloadEngine.Progress {
    final LongAdder origin = new LongAdder();
    final LongAdder peers = new LongAdder();
    private final DownloadEngine.Progress downstream;

    Counting(DownloadEngine.Progress downstream) {
      this.downstream = downstream;
    }

    @Override
    public void update(long doneBytes, long totalBytes) {
      downstream.update(doneBytes, totalBytes);
    }

    @Override
    public void received(boolean fromOrigin, int bytes) {
      (fromOrigin ? origin : peers).add(bytes);
    }
  }

  /**
   * Downloads the distinct files a manifest names, at most {@link #TREE_PARALLEL} at a time, reporting progress
   * over the whole tree. Materializing the directory afterwards is atomic (the store's job).
   */
  private final class Tree {
    private final List<HostPort> seeds;
    private final Counting counting;
    private final Map<ContentId, Long> done = new ConcurrentHashMap<>();
    private long total;

    Tree(List<HostPort> seeds, Counting counting) {
      this.seeds = seeds;
      this.counting = counting;
    }

    CompletableFuture<ContentInfo> run(ContentInfo dir) {
      Manifest manifest = manifest(dir);
      total = manifest.treeBytes();
      List<ContentId> ids = new ArrayList<>(manifest.fileIds());
      Iterator<ContentId> next = ids.iterator();
      List<CompletableFuture<Void>> lanes = new ArrayList<>();
      for (int i = 0; i < Math.min(TREE_PARALLEL, ids.size()); i++) {
        lanes.add(lane(next));
      }
      return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).thenApply(v -> dir);
    }

    /** One lane: downloads files one after another until none are left. */
    private CompletableFuture<Void> lane(Iterator<ContentId> next) {
      ContentId id;
      synchronized (next) {
        if (!next.hasNext()) {
          return CompletableFuture.completedFuture(null);
        }
        id = next.next();
      }
      DownloadEngine.Progress fileProgress = new DownloadEngine.Progress() {
        @Override
        public void update(long d, long t) {
          done.put(id, d);
          counting.update(done.values().stream().mapToLong(Long::longValue).sum(), total);
        }

        @Override
        public void received(boolean fromOrigin, int bytes) {
          counting.received(fromOrigin, bytes);
        }
      };
      return engine.download(new DownloadRequest(id, Optional.empty(), seeds), fileProgress)
          .thenCompose(info -> lane(next));
    }
  }
}
