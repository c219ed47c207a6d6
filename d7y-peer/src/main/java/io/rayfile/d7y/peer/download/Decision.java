package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.util.List;
import java.util.Optional;

/** What the scheduler told a download, in domain terms. */
public sealed interface Decision {
  /**
   * What the scheduler knows of the content's size and kind, when anything.
   *
   * @param layout length and piece length
   * @param kind what the bytes are, when the scheduler was told
   */
  record Meta(PieceLayout layout, Optional<ContentKind> kind) {}

  /** Fetch from these parents, best first. */
  record Parents(List<ParentInfo> parents, Optional<Meta> meta) implements Decision {}

  /**
   * Read the origin yourself (and report what lands, so others can use you): the URL of a URL task, or
   * {@code sources}, the nodes holding an announced copy of a RayFile content (its origin).
   */
  record BackToSource(String reason, Optional<Meta> meta, List<ParentInfo> sources) implements Decision {
    public BackToSource {
      sources = List.copyOf(sources);
    }
  }

  /** The content has zero bytes. */
  record Empty(Optional<Meta> meta) implements Decision {}

  /** Nobody can serve you yet; keep the stream open, an answer will be pushed. */
  record Wait(String reason) implements Decision {}

  /** The scheduler refused a report (the stream goes on) or the registration (it does not). */
  record Refused(ErrorCode code, String message) implements Decision {}

  /** No scheduler instance answered, or the stream broke: the download decides how to go on. */
  record Lost(String message) implements Decision {}
}
