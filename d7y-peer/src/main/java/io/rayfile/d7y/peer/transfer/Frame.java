package io.rayfile.d7y.peer.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentKind;
import java.util.Arrays;
import java.util.BitSet;

/** Decoded frames of the data plane (see {@code docs/protocol.md}). */
sealed interface Frame {

  /** The 8-byte preamble each side sends first. */
  record Hello(int version) implements Frame {}

  /** Client -> server: send these pieces, in this order. */
  record GetPieces(int requestId, ContentId id, int[] pieces) implements Frame {
    @Override
    public boolean equals(Object o) {
      return o instanceof GetPieces g && g.requestId == requestId && g.id.equals(id)
          && Arrays.equals(g.pieces, pieces);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * requestId + id.hashCode()) + Arrays.hashCode(pieces);
    }

    @Override
    public String toString() {
      return "GetPieces[" + requestId + ", " + id + ", " + Arrays.toString(pieces) + "]";
    }
  }

  /** Client -> server: which pieces of this content do you have? */
  record GetBitmap(int requestId, ContentId id) implements Frame {}

  /** Server -> client: header of one piece; exactly {@code length} raw bytes follow it on the wire. */
  record PieceHeader(int requestId, int piece, int length, int crc32c) implements Frame {}

  /** Server -> client: a request (or one piece of it, or the connection) failed. */
  record Error(int requestId, int piece, WireStatus status, String message) implements Frame {}

  /** Server -> client: the parent's view of a content. */
  record Bitmap(int requestId, ContentKind kind, boolean complete, long length, int pieceLength, int pieceCount,
      BitSet finished) implements Frame {}

  /**
   * Client side only: a slice of the raw piece bytes that follow a {@link PieceHeader}; {@code last} on the slice
   * that completes the piece. The receiver must release it.
   */
  final class PieceChunk extends DefaultByteBufHolder implements Frame {
    private final boolean last;

    PieceChunk(ByteBuf data, boolean last) {
      super(data);
      this.last = last;
    }

    boolean last() {
      return last;
    }
  }
}
