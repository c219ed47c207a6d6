package io.rayfile.gc;

/**
 * The ownership reference-counting state machine of one process.
 *
 * <p>Pure: no threads, no I/O, no clock. Time is passed in as {@code now} (milliseconds of any monotonic clock);
 * every call returns the messages to send and the effects to apply as an {@link Output}. Not thread-safe: the
 * runtime calls it from one actor.
 *
 * <p>Usage, on the runtime side:
 *
 * <pre>{@code
 * GcNode gc = new OwnershipGcNode(self, settings);
 * apply(gc.create(file, Lifetime.owner(), now));          // this process now holds one handle
 * apply(gc.passTo(file, worker, now));                    // Pass message: send it with the task
 * apply(gc.removeLocalRef(file));                         // handle closed
 * // on every GC message from the transport:   apply(gc.receive(message, now));
 * // on membership "process X is down":        apply(gc.memberDied(x, now));
 * // every GcSettings.retryIntervalMillis:     apply(gc.tick(now));
 * }</pre>
 *
 * <p>See {@code docs/gc-protocol.md} for the rules and the invariants.
 */
public interface GcNode {

  /** The process this node runs in. */
  ProcessId self();

  /**
   * Registers a new file created here; this process holds one handle to it. An owner-lifetime file is owned
   * here; a job or detached file is owned by the anchor, and this process becomes its first borrower.
   *
   * @throws IllegalStateException if the file is already known here
   */
  Output create(FileId file, Lifetime lifetime, long now);

  /**
   * One more handle to a file this process already holds.
   *
   * @throws IllegalStateException if this process holds no handle to it
   */
  Output addLocalRef(FileId file);

  /**
   * One handle dropped. Unknown files are ignored (their handles were voided by {@link GcEffect.Lost}).
   *
   * @throws IllegalStateException if more handles are dropped than were held
   */
  Output removeLocalRef(FileId file);

  /**
   * A task submitted by this process has {@code file} as an argument; counted until {@link #taskFinished}.
   * Idempotent per (file, task).
   *
   * @throws IllegalStateException if this process holds no handle to it
   */
  Output taskSubmitted(FileId file, TaskId task);

  /** The task finished, failed or was cancelled. Idempotent; unknown pairs are ignored. */
  Output taskFinished(FileId file, TaskId task);

  /**
   * Passes a handle to another process. The returned {@link GcMessage.Pass} must travel to {@code to} (with the
   * task or value it belongs to); until acknowledged it is counted here as in flight and re-sent by
   * {@link #tick}. A job/detached file not yet adopted by the anchor holds its passes back until it is.
   *
   * @throws IllegalStateException if this process holds no handle to it
   * @throws IllegalArgumentException if {@code to} is this process
   */
  Output passTo(FileId file, ProcessId to, long now);

  /** Handles a message from another process. Messages from processes declared dead are ignored. */
  Output receive(GcMessage message, long now);

  /**
   * Membership declared {@code process} dead: it holds nothing any more, passes to it are void, files it owned
   * are {@link GcEffect.Lost} here. Idempotent.
   */
  Output memberDied(ProcessId process, long now);

  /** Periodic work: re-sends unanswered messages, queries silent borrowers, expires TTLs. */
  Output tick(long now);

  /** The job ended: its job-lifetime files owned here lose their pin. Remembered, so late adoptions are unpinned. */
  Output jobEnded(JobId job, long now);

  /** Explicit release of a job/detached file owned here: it loses its pin. No-op for anything else. */
  Output release(FileId file, long now);

  /** Number of files this process owns and has not freed. */
  int ownedCount();

  /** Number of files this process keeps a borrower record for (holding, registering or releasing). */
  int borrowedCount();

  /** Number of passes sent from here and not yet acknowledged. */
  int passesInFlight();
}
