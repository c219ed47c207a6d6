package io.rayfile.d7y.peer.grpc;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.download.DownloadEngine;
import io.rayfile.d7y.peer.download.DownloadRequest;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Downloads the distinct files a directory manifest names (identical files once), at most {@link #PARALLEL} at a
 * time, reporting progress over the whole tree. Materializing the directory afterwards is atomic (the store's job).
 */
final class TreeDownload {
  static final int PARALLEL = 16;

  private final ContentStore store;
  private final DownloadEngine engine;
  private final List<HostPort> seeds;
  private final ProgressStream progress;
  private final Map<ContentId, Long> done = new ConcurrentHashMap<>();
  private long total;

  TreeDownload(ContentStore store, DownloadEngine engine, List<HostPort> seeds, ProgressStream progress) {
    this.store = store;
    this.engine = engine;
    this.seeds = seeds;
    this.progress = progress;
  }

  /** Parses a complete directory content's manifest (untrusted: strict parser). */
  static Manifest manifest(ContentStore store, ContentInfo dir) {
    try {
      return Manifest.parse(Files.readAllBytes(store.readPiece(dir.id(), 0).file()));
    } catch (IOException e) {
      throw new PeerException(ErrorCode.IO_ERROR, "cannot read the manifest " + dir.id() + ": " + e.getMessage(), e);
    }
  }

  CompletableFuture<ContentInfo> run(ContentInfo dir) {
    Manifest manifest = manifest(store, dir);
    total = manifest.treeBytes();
    List<ContentId> ids = new ArrayList<>(manifest.fileIds());
    Iterator<ContentId> next = ids.iterator();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.min(PARALLEL, ids.size()); i++) {
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
    return engine.download(new DownloadRequest(id, Optional.empty(), seeds), (d, t) -> {
      done.put(id, d);
      progress.update(done.values().stream().mapToLong(Long::longValue).sum(), total);
    }).thenCompose(info -> lane(next));
  }
}
