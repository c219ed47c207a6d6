package io.rayfile.cli;

import io.rayfile.runtime.driver.DriverRuntime;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How cluster commands reach the head: {@code --head}, else {@code $RAYFILE_HEAD}, else 127.0.0.1:2552. */
final class HeadOptions {
  @Option(names = "--head", paramLabel = "HOST:PORT", description = "The cluster head (default $RAYFILE_HEAD, "
      + "else 127.0.0.1:2552).")
  String head;

  String address() {
    if (head != null) {
      return head;
    }
    String env = System.getenv("RAYFILE_HEAD");
    return env == null || env.isBlank() ? "127.0.0.1:2552" : env;
  }

  /** Joins the cluster as a short-lived driver. */
  DriverRuntime connect() {
    return DriverRuntime.connect(address(), Optional.empty());
  }
}
