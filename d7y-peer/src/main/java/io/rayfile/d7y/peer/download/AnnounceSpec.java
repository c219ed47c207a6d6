package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.util.BitSet;
import java.util.Optional;

/**
 * One registration on the scheduler.
 *
 * @param key the swarm's key: {@code sha256:<hex>} or {@code task:<hex>} for a URL task
 * @param peerId fresh per attempt
 * @param layout the content's layout when this peer knows it
 * @param kind the content's kind when this peer knows it
 * @param finished pieces this peer already holds (a resumed download)
 * @param hasSource whether this peer could read an origin if told to
 * @param url the origin URL of a URL task, else empty
 */
public record AnnounceSpec(String key, String peerId, Optional<PieceLayout> layout, Optional<ContentKind> kind,
    BitSet finished, boolean hasSource, String url) {
  public AnnounceSpec {
    finished = (BitSet) finished.clone();
  }
}
