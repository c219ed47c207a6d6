package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.source.UrlTask;
import io.rayfile.d7y.peer.storage.ContentId;
import java.util.List;
import java.util.Optional;

/**
 * What to download: a content by id (from peers; {@code seeds} are fallbacks when no scheduler answers) or an
 * external URL task (peers first, the origin when the scheduler says so).
 *
 * @param id the store key: the content id, or the URL task's store id
 * @param url the URL task, for external contents
 * @param seeds data-plane addresses known to hold the content (e.g. the uploading node)
 */
public record DownloadRequest(ContentId id, Optional<UrlTask> url, List<HostPort> seeds) {
  public DownloadRequest {
    seeds = List.copyOf(seeds);
  }

  public static DownloadRequest of(ContentId id) {
    return new DownloadRequest(id, Optional.empty(), List.of());
  }

  public static DownloadRequest of(UrlTask task) {
    return new DownloadRequest(task.storeId(), Optional.of(task), List.of());
  }

  /** The swarm key on the scheduler. */
  public String key() {
    return url.map(UrlTask::contentId).orElse(id.toString());
  }
}
