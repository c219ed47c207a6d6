package io.rayfile.api;

/**
 * How long a file may outlive its handles (see {@link PutOptions#lifetime(Lifetime)}).
 *
 * <ul>
 *   <li>{@link #OWNER}: freed when the last handle anywhere is dropped; dies with the process that owns it.
 *   <li>{@link #JOB}: also kept until the job (the driver's session) ends, even if its creator dies.
 *   <li>{@link #DETACHED}: kept until released through {@link RayFileRuntime#release(RayFile)} or its TTL.
 * </ul>
 */
public enum Lifetime {
  /** Freed with its last handle, fate-shared with its owner. */
  OWNER,
  /** Kept at least until the job ends. */
  JOB,
  /** Kept until released explicitly or its TTL expires. */
  DETACHED
}
