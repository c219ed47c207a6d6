package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the scheduler's idea of what this node holds in step with the store: an import makes this node a seed,
 * a delete or eviction withdraws it, a restart (or a scheduler that forgot us) re-announces everything.
 */
public final class Holdings {
  private static final Logger log = LoggerFactory.getLogger(Holdings.class);

  private final ContentStore store;
  private final Optional<Scheduling> scheduling;

  public Holdings(ContentStore store, Optional<Scheduling> scheduling) {
    this.store = store;
    this.scheduling = scheduling;
  }

  /** Announces these contents (complete ones only). */
  public void held(Collection<ContentId> ids) {
    if (scheduling.isEmpty() || ids.isEmpty()) {
      return;
    }
    List<ContentInfo> complete = new ArrayList<>();
    for (ContentId id : ids) {
      store.stat(id).filter(ContentInfo::complete).ifPresent(complete::add);
    }
    scheduling.get().announceContents(complete, false);
  }

  /** Withdraws these contents. */
  public void dropped(Collection<ContentInfo> gone) {
    if (scheduling.isEmpty() || gone.isEmpty()) {
      return;
    }
    scheduling.get().unregisterContents(gone.stream().map(ContentInfo::displayId).toList());
  }

  /** Announces everything complete, replacing what the scheduler had for this host. */
  public void announceAll() {
    scheduling.ifPresent(s -> {
      List<ContentInfo> all = store.list().stream().filter(ContentInfo::complete).toList();
      s.announceContents(all, true);
      log.info("announced {} held contents to the scheduler", all.size());
    });
  }

  /** Heartbeats; re-announces everything when a scheduler did not know this host. */
  public void heartbeat() {
    if (scheduling.isPresent() && scheduling.get().heartbeat()) {
      log.info("a scheduler did not know this node (restarted?); announcing held contents again");
      announceAll();
    }
  }
}
