package io.rayfile.gc;

/**
 * A message between the GC state machines of two processes. The transport may drop, duplicate, reorder and delay
 * any of them; each is idempotent and carries what makes a stale or repeated copy harmless:
 *
 * <ul>
 *   <li>{@code seq}: per (sender, receiver) sequence number of a message that creates state at the receiver
 *       ({@link Pass}, {@link Register}); the receiver acts on each number once and re-answers duplicates.
 *   <li>{@code version}: the borrower's own monotonic clock at the event the message reports. The owner keeps, per
 *       borrower, the highest version it has acted on and ignores anything older.
 * </ul>
 */
public sealed interface GcMessage {

  /** The file the message is about. */
  FileId file();

  /** The sending process. */
  ProcessId from();

  /** The destination process. */
  ProcessId to();

  /**
   * A handle to {@code file} travelling from {@code from} to {@code to}. The sender counts it as in flight, and
   * re-sends it, until {@link PassAck} or the receiver's death.
   *
   * @param owner the file's owner
   * @param seq sequence number in the sender's stream to {@code to}
   */
  record Pass(FileId file, ProcessId owner, ProcessId from, ProcessId to, long seq) implements GcMessage {}

  /**
   * The receiver of a {@link Pass} has dealt with it (accepted it, or rejected it because the file is gone). It
   * also reports the receiver's current state of the file, which an owner-sender uses to start or stop tracking
   * it as a borrower.
   *
   * @param seq the acknowledged pass
   * @param holding whether the receiver holds the file now
   * @param version the receiver's version of that state
   */
  record PassAck(FileId file, ProcessId from, ProcessId to, long seq, boolean holding, long version)
      implements GcMessage {}

  /**
   * A process asks the owner to count it as a borrower before it lets its application use a handle it received
   * from another borrower, or (with {@code adopt}) asks the anchor to own a job/detached file it created.
   *
   * @param seq sequence number in the sender's stream to the owner
   * @param version the borrower's version of this borrow
   * @param adopt the lifetime of a newly created file the anchor must adopt, else {@code null}
   */
  record Register(FileId file, ProcessId from, ProcessId to, long seq, long version, Lifetime adopt)
      implements GcMessage {}

  /**
   * The owner's answer to {@link Register}.
   *
   * @param version the version of the registration answered
   * @param known true: the borrower is counted; false: the file is already freed (the handle is void)
   */
  record RegisterReply(FileId file, ProcessId from, ProcessId to, long version, boolean known)
      implements GcMessage {}

  /**
   * A borrower's state of a file, sent to the owner when it drops to zero (a release) and as the answer to
   * {@link Query}.
   *
   * @param holding whether the borrower holds the file
   * @param version the borrower's version of that state
   */
  record Status(FileId file, ProcessId from, ProcessId to, boolean holding, long version) implements GcMessage {}

  /**
   * The owner has acted on a release ({@link Status} with {@code holding == false}) of that version; the borrower
   * may forget the file.
   */
  record ReleaseAck(FileId file, ProcessId from, ProcessId to, long version) implements GcMessage {}

  /** Reconciliation: the owner asks a borrower it still counts for its {@link Status}. */
  record Query(FileId file, ProcessId from, ProcessId to) implements GcMessage {}
}
