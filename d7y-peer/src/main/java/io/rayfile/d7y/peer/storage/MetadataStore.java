package io.rayfile.d7y.peer.storage;

import java.util.Map;
import java.util.Optional;

/**
 * Durable per-content metadata, kept apart from the content bytes. Each {@link #put} is atomic for its content:
 * after a crash a reader sees either the old record or the new one. Callers serialize updates of one content.
 */
interface MetadataStore extends AutoCloseable {
  Optional<ContentRecord> get(ContentId id);

  void put(ContentId id, ContentRecord record);

  void remove(ContentId id);

  /**
   * Every record. Records that cannot be decoded are reported in {@code corrupt} (and left for the caller to
   * remove) instead of failing the whole load.
   */
  Map<ContentId, ContentRecord> loadAll(Map<ContentId, String> corrupt);

  @Override
  void close();
}
