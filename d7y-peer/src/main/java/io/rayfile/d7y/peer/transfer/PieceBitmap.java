package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.util.BitSet;

/**
 * A parent's view of one content: its layout (enough for a child to {@code begin} it) and the pieces the parent
 * can serve right now.
 *
 * @param parent who answered
 * @param id content id
 * @param kind file or directory manifest
 * @param layout length and piece length
 * @param complete true when the parent has every piece and verified the whole content
 * @param finished pieces the parent has (a copy; bit i = piece i)
 */
public record PieceBitmap(HostPort parent, ContentId id, ContentKind kind, PieceLayout layout, boolean complete,
    BitSet finished) {

  public PieceBitmap {
    finished = (BitSet) finished.clone();
  }

  @Override
  public BitSet finished() {
    return (BitSet) finished.clone();
  }

  public boolean has(int piece) {
    return finished.get(piece);
  }

  public int finishedCount() {
    return finished.cardinality();
  }
}
