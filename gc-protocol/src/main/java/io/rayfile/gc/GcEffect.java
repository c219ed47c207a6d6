package io.rayfile.gc;

/** Something the runtime must do locally because of a GC decision. */
public sealed interface GcEffect {

  /** The file the effect is about. */
  FileId file();

  /**
   * This process owns {@code file} and nobody holds it any more: unpin it on every node, forget its peers.
   * Emitted once per file, only by its owner.
   */
  record Freed(FileId file) implements GcEffect {}

  /**
   * A passed handle is now usable here: give it to the application (the count already includes it, so the
   * application calls {@link GcNode#removeLocalRef} when done with it).
   *
   * @param from the process that passed it
   * @param seq the {@link GcMessage.Pass#seq()} it came with
   */
  record Accepted(FileId file, ProcessId from, long seq) implements GcEffect {}

  /**
   * A passed handle is void (the file was freed because its sender died, or its owner died): fail whatever waited
   * for it.
   *
   * @param from the process that passed it
   * @param seq the {@link GcMessage.Pass#seq()} it came with
   */
  record Rejected(FileId file, ProcessId from, long seq) implements GcEffect {}

  /**
   * The owner of {@code file} died (fate-sharing): every handle to it here is void. Unpin it locally and fail
   * its users with an "owner died" error.
   */
  record Lost(FileId file) implements GcEffect {}
}
