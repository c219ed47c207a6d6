package io.rayfile.runtime;

import io.rayfile.api.RayFileException;
import io.rayfile.api.RayFileRuntime;
import io.rayfile.api.spi.RuntimeProvider;
import io.rayfile.runtime.driver.DriverRuntime;
import java.util.Optional;

/** The runtime behind {@link io.rayfile.api.RayFile#connect} and {@link io.rayfile.api.RayFile#local}. */
public final class RayFileRuntimeProvider implements RuntimeProvider {

  /** Environment variable naming the node (by id) a driver on this host stores its files on. */
  public static final String LOCAL_NODE_ENV = "RAYFILE_LOCAL_NODE";

  @Override
  public RayFileRuntime connect(String headAddress) {
    if (headAddress == null || !headAddress.matches("[^:\\s]+:\\d{1,5}")) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "the head address must be host:port, got '"
          + headAddress + "'");
    }
    return DriverRuntime.connect(headAddress, Optional.ofNullable(System.getenv(LOCAL_NODE_ENV)));
  }

  @Override
  public RayFileRuntime local(int nodes) {
    return EmbeddedCluster.start(nodes).driver();
  }
}
