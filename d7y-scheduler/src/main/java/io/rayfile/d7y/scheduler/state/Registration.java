package io.rayfile.d7y.scheduler.state;

import java.util.BitSet;
import java.util.Objects;

/**
 * The first message of a download.
 *
 * @param meta the size if the peer knows it, else null
 * @param finishedPieces pieces it already holds (resume); not modified
 * @param hasSource it can read an origin itself
 * @param url informational origin URL of a URL task, may be empty
 */
public record Registration(ContentRef content, String peerId, HostInfo host, ContentMeta meta,
    BitSet finishedPieces, boolean hasSource, String url) {
  public Registration {
    Objects.requireNonNull(content, "content");
    peerId = Ids.require("peer id", peerId);
    Objects.requireNonNull(host, "host");
    finishedPieces = finishedPieces == null ? new BitSet() : (BitSet) finishedPieces.clone();
    url = url == null ? "" : url;
  }
}
