package io.rayfile.d7y.peer.grpc;

import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.ContentState;
import io.rayfile.d7y.peer.storage.PieceLayout;
import io.rayfile.d7y.peer.storage.StoreUsage;
import io.rayfile.d7y.peer.storage.VerifyReport;
import io.rayfile.proto.v1.VerifyResult;
import java.time.Instant;

/** Domain records to and from their wire twins. The only place both kinds meet. */
final class WireMapping {
  private WireMapping() {}

  static io.rayfile.proto.v1.ContentInfo toWire(ContentInfo c) {
    return io.rayfile.proto.v1.ContentInfo.newBuilder()
        .setId(c.id().toString())
        .setKind(switch (c.kind()) {
          case FILE -> io.rayfile.proto.v1.ContentKind.CONTENT_KIND_FILE;
          case DIRECTORY -> io.rayfile.proto.v1.ContentKind.CONTENT_KIND_DIRECTORY;
          case EXTERNAL -> io.rayfile.proto.v1.ContentKind.CONTENT_KIND_EXTERNAL;
        })
        .setLength(c.length())
        .setPieceLength(c.layout().pieceLength())
        .setPieceCount(c.layout().pieceCount())
        .setFinishedPieces(c.finishedPieces())
        .setState(c.complete()
            ? io.rayfile.proto.v1.ContentState.CONTENT_STATE_COMPLETE
            : io.rayfile.proto.v1.ContentState.CONTENT_STATE_PARTIAL)
        .setPinCount(c.pinCount())
        .setLastAccessMillis(c.lastAccess().toEpochMilli())
        .setCreatedMillis(c.created().toEpochMilli())
        .setTreeBytes(c.treeBytes())
        .setEntryCount(c.entryCount())
        .build();
  }

  static ContentInfo fromWire(io.rayfile.proto.v1.ContentInfo w) {
    return new ContentInfo(
        ContentId.parse(w.getId()),
        switch (w.getKind()) {
          case CONTENT_KIND_DIRECTORY -> ContentKind.DIRECTORY;
          case CONTENT_KIND_EXTERNAL -> ContentKind.EXTERNAL;
          default -> ContentKind.FILE;
        },
        new PieceLayout(w.getLength(), w.getPieceLength()),
        w.getFinishedPieces(),
        w.getState() == io.rayfile.proto.v1.ContentState.CONTENT_STATE_COMPLETE
            ? ContentState.COMPLETE : ContentState.PARTIAL,
        w.getPinCount(),
        Instant.ofEpochMilli(w.getLastAccessMillis()),
        Instant.ofEpochMilli(w.getCreatedMillis()),
        w.getTreeBytes(),
        w.getEntryCount());
  }

  static io.rayfile.proto.v1.StoreUsage toWire(StoreUsage u) {
    return io.rayfile.proto.v1.StoreUsage.newBuilder()
        .setUsedBytes(u.usedBytes())
        .setPinnedBytes(u.pinnedBytes())
        .setQuotaBytes(u.quotaBytes())
        .setContentCount(u.contentCount())
        .build();
  }

  static StoreUsage fromWire(io.rayfile.proto.v1.StoreUsage w) {
    return new StoreUsage(w.getUsedBytes(), w.getPinnedBytes(), w.getQuotaBytes(), w.getContentCount());
  }

  static VerifyResult toWire(VerifyReport r) {
    return VerifyResult.newBuilder()
        .setOk(r.ok())
        .addAllBadPieces(r.badPieces())
        .setSha256Ok(r.sha256Ok())
        .setDetail(r.detail())
        .build();
  }

  static VerifyReport fromWire(ContentId id, VerifyResult w) {
    return new VerifyReport(id, w.getBadPiecesList(), w.getSha256Ok(), w.getDetail());
  }
}
