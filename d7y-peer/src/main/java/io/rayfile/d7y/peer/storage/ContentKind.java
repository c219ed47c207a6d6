package io.rayfile.d7y.peer.storage;

/** What a content's bytes are. */
public enum ContentKind {
  /** Plain file bytes. */
  FILE,
  /** A canonical directory manifest; the files it names are contents of their own. */
  DIRECTORY
}
