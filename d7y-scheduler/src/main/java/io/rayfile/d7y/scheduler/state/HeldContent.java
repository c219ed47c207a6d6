package io.rayfile.d7y.scheduler.state;

import java.util.Objects;

/** A content a node holds complete. */
public record HeldContent(ContentRef content, ContentMeta meta) {
  public HeldContent {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(meta, "meta: a node holding a content knows its size");
  }
}
