package io.rayfile.d7y.peer.storage;

/** A content's lifecycle in one store. */
public enum ContentState {
  /** Some pieces are missing. Never visible to readers as a whole. */
  PARTIAL,
  /** Every piece is present and the whole-content SHA-256 was verified. */
  COMPLETE
}
