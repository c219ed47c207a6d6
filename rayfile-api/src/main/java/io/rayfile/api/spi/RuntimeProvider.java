package io.rayfile.api.spi;

import io.rayfile.api.RayFileRuntime;

/**
 * How {@link io.rayfile.api.RayFile#connect} and {@link io.rayfile.api.RayFile#local} find the runtime: an
 * implementation listed in {@code META-INF/services/io.rayfile.api.spi.RuntimeProvider}.
 */
public interface RuntimeProvider {

  /** Joins the cluster whose head listens at {@code headAddress} as a driver. */
  RayFileRuntime connect(String headAddress);

  /** Starts a cluster of {@code nodes} nodes in this JVM. */
  RayFileRuntime local(int nodes);
}
