package io.rayfile.api;

/** What a {@link RayFile} holds. */
public enum FileKind {
  /** One regular file. */
  FILE,
  /** A directory tree, moved and materialized as one unit. */
  DIRECTORY
}
