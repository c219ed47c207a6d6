package io.rayfile.gc;

import java.util.Objects;

/**
 * How long a file may outlive its handles.
 *
 * <ul>
 *   <li>{@link Kind#OWNER}: freed when the last handle anywhere is dropped; dies with its owner (fate-sharing).
 *   <li>{@link Kind#JOB}: additionally pinned until its job ends, {@link GcNode#release explicit release} or TTL.
 *   <li>{@link Kind#DETACHED}: pinned until explicit release or TTL.
 * </ul>
 *
 * <p>Job and detached files are owned by the durable anchor process ({@link GcSettings#anchor()}), so the death of
 * the worker that created them does not free them. A pin never overrides a holder: when the lifetime ends, the
 * file is freed once nobody holds it.
 *
 * @param kind the kind
 * @param job the job of a {@link Kind#JOB} file, otherwise {@code null}
 * @param ttlMillis time to live from the moment the owner learns of the file, or 0 for none (job/detached only)
 */
public record Lifetime(Kind kind, JobId job, long ttlMillis) {

  /** The three kinds of lifetime. */
  public enum Kind {
    /** Lives as long as handles exist and its owner lives. */
    OWNER,
    /** Lives at least until its job ends (or release / TTL). */
    JOB,
    /** Lives until released or its TTL expires. */
    DETACHED
  }

  private static final Lifetime OWNER_LIFETIME = new Lifetime(Kind.OWNER, null, 0);

  /** Validates the combination. */
  public Lifetime {
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.JOB) != (job != null)) {
      throw new IllegalArgumentException("a job id is required for, and only for, JOB lifetime; got " + kind
          + " with job " + job);
    }
    if (ttlMillis < 0 || (kind == Kind.OWNER && ttlMillis != 0)) {
      throw new IllegalArgumentException("ttlMillis must be >= 0, and 0 for OWNER lifetime; got " + ttlMillis);
    }
  }

  /** The default: freed when unreferenced, dies with its owner. */
  public static Lifetime owner() {
    return OWNER_LIFETIME;
  }

  /** Pinned until {@code job} ends or the file is released. */
  public static Lifetime job(JobId job) {
    return new Lifetime(Kind.JOB, job, 0);
  }

  /** Pinned until {@code job} ends, the file is released, or {@code ttlMillis} elapse. */
  public static Lifetime job(JobId job, long ttlMillis) {
    return new Lifetime(Kind.JOB, job, ttlMillis);
  }

  /** Pinned until released. */
  public static Lifetime detached() {
    return new Lifetime(Kind.DETACHED, null, 0);
  }

  /** Pinned until released or {@code ttlMillis} elapse. */
  public static Lifetime detached(long ttlMillis) {
    return new Lifetime(Kind.DETACHED, null, ttlMillis);
  }
}
