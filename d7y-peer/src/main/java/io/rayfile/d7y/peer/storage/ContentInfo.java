package io.rayfile.d7y.peer.storage;

import java.time.Instant;

/**
 * What a store knows about one content.
 *
 * @param id content id
 * @param kind file or directory manifest
 * @param layout length and piece length
 * @param finishedPieces pieces present and CRC-checked
 * @param state partial or complete
 * @param pinCount outstanding pins; a pinned content is never evicted
 * @param lastAccess last read, write or materialization (drives LRU and TTL)
 * @param created when this store first saw the content
 * @param treeBytes for a directory: total bytes of the files it names; for a file: its length
 * @param entryCount for a directory: number of manifest entries; for a file: 0
 */
public record ContentInfo(
    ContentId id,
    ContentKind kind,
    PieceLayout layout,
    int finishedPieces,
    ContentState state,
    int pinCount,
    Instant lastAccess,
    Instant created,
    long treeBytes,
    int entryCount) {

  public long length() {
    return layout.length();
  }

  public boolean complete() {
    return state == ContentState.COMPLETE;
  }

  public boolean pinned() {
    return pinCount > 0;
  }

  /** How people and schedulers name it: {@code sha256:<hex>}, or {@code task:<hex>} for external contents. */
  public String displayId() {
    return kind == ContentKind.EXTERNAL ? ContentId.TASK_PREFIX + id.hex() : id.toString();
  }
}
