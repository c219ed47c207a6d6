package io.rayfile.api;

import java.time.Duration;

/**
 * How {@link RayFileRuntime#put(java.nio.file.Path, PutOptions)} stores a file. Immutable.
 *
 * <pre>{@code
 * rt.put(Path.of("model/"), PutOptions.defaults().replicas(2).lifetime(Lifetime.JOB));
 * }</pre>
 *
 * @param replicas on how many nodes a copy exists before {@code put} returns (1: only the node it was put on)
 * @param lifetime how long the file may outlive its handles
 * @param ttl for {@link Lifetime#JOB} and {@link Lifetime#DETACHED}: an expiry, or {@link Duration#ZERO} for none
 * @param move hard-link the path into the store instead of copying it (the caller must not modify it afterwards)
 */
public record PutOptions(int replicas, Lifetime lifetime, Duration ttl, boolean move) {
  private static final PutOptions DEFAULTS = new PutOptions(1, Lifetime.OWNER, Duration.ZERO, false);

  /** Checks the combination. */
  public PutOptions {
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas must be >= 1, got " + replicas);
    }
    if (ttl.isNegative() || (lifetime == Lifetime.OWNER && !ttl.isZero())) {
      throw new IllegalArgumentException("ttl must be >= 0, and zero for OWNER lifetime; got " + ttl);
    }
  }

  /** One replica, owner lifetime, copied. */
  public static PutOptions defaults() {
    return DEFAULTS;
  }

  public PutOptions replicas(int n) {
    return new PutOptions(n, lifetime, ttl, move);
  }

  public PutOptions lifetime(Lifetime l) {
    return new PutOptions(replicas, l, ttl, move);
  }

  public PutOptions ttl(Duration d) {
    return new PutOptions(replicas, lifetime, d, move);
  }

  public PutOptions move(boolean m) {
    return new PutOptions(replicas, lifetime, ttl, m);
  }
}
