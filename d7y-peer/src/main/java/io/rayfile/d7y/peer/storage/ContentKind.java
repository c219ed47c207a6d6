package io.rayfile.d7y.peer.storage;

/** What a content's bytes are. */
public enum ContentKind {
  /** Plain file bytes. */
  FILE,
  /** A canonical directory manifest; the files it names are contents of their own. */
  DIRECTORY,
  /**
   * Bytes of an external origin (an {@code http(s)://} URL task), stored under the task id rather than their
   * digest: pieces carry CRC32Cs computed by the peer that read the origin, and a caller-supplied expected digest is
   * checked by the download. Stored ordinals are persisted: new kinds go last.
   */
  EXTERNAL
}
