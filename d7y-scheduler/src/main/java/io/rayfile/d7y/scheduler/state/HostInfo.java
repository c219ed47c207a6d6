package io.rayfile.d7y.scheduler.state;

import io.rayfile.d7y.scheduler.SchedulerException;
import java.util.Objects;

/**
 * A node daemon as it describes itself.
 *
 * @param uploadSlots concurrent children it serves across all contents; 0 = the scheduler default
 * @param uploadBandwidth bytes per second, 0 = unknown
 * @param seedHost a dedicated seed host
 */
public record HostInfo(String hostId, String hostname, String ip, int dataPort, Locality locality,
    int uploadSlots, long uploadBandwidth, boolean seedHost) {

  public HostInfo {
    hostId = Ids.require("host id", hostId);
    hostname = Ids.optional("hostname", hostname);
    ip = Ids.require("host ip", ip);
    Objects.requireNonNull(locality, "locality");
    if (dataPort < 1 || dataPort > 65535) {
      throw SchedulerException.invalid("data port must be in [1, 65535], got " + dataPort);
    }
    if (uploadSlots < 0) {
      throw SchedulerException.invalid("upload slots must be >= 0 (0 = default), got " + uploadSlots);
    }
    if (uploadBandwidth < 0) {
      throw SchedulerException.invalid("upload bandwidth must be >= 0 (0 = unknown), got " + uploadBandwidth);
    }
  }
}
