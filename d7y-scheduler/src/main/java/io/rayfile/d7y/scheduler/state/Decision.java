package io.rayfile.d7y.scheduler.state;

import io.rayfile.d7y.scheduler.SchedulerErrorCode;
import java.util.List;

/** An answer to a peer. {@code meta} is null while the content's size is unknown. */
public sealed interface Decision {
  /** Fetch from these parents, best first. */
  record Parents(List<ParentOffer> parents, ContentMeta meta) implements Decision {
    public Parents {
      parents = List.copyOf(parents);
    }
  }

  /**
   * Read the origin: the URL of a URL task, or {@code sources}, the nodes that announced a complete copy (for a
   * RayFile content the uploading node's store is its origin).
   */
  record BackToSource(String reason, ContentMeta meta, List<ParentOffer> sources) implements Decision {
    public BackToSource {
      sources = List.copyOf(sources);
    }
  }

  /** Zero bytes: nothing to fetch. */
  record Empty(ContentMeta meta) implements Decision {}

  /** Keep the stream open; a new answer will be pushed. */
  record Wait(String reason, ContentMeta meta) implements Decision {}

  /** A report was rejected; the stream goes on. */
  record Failure(SchedulerErrorCode code, String message) implements Decision {}
}
