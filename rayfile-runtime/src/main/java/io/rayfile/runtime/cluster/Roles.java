package io.rayfile.runtime.cluster;

/** The cluster roles. */
public final class Roles {
  /** Hosts the P2P scheduler and the job registry (the GC anchor). */
  public static final String HEAD = "head";
  /** A d7y peer and a pool of workers. */
  public static final String NODE = "node";
  /** A user's JVM submitting a job. */
  public static final String DRIVER = "driver";

  private Roles() {}
}
