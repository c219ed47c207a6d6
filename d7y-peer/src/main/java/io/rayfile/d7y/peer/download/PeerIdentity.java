package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;

/**
 * How this node presents itself to schedulers and other peers.
 *
 * @param hostId stable id of the node (survives restarts: the scheduler keeps its copies under it)
 * @param hostname for humans
 * @param ip address other peers reach the data plane on
 * @param dataPort data-plane port
 * @param region locality label, may be empty
 * @param zone locality label, may be empty
 * @param nodepool locality label, may be empty
 * @param uploadSlots concurrent uploads this node serves
 * @param uploadBandwidth bytes per second it can upload (0 = unknown)
 */
public record PeerIdentity(String hostId, String hostname, String ip, int dataPort, String region, String zone,
    String nodepool, int uploadSlots, long uploadBandwidth) {
  public PeerIdentity {
    if (hostId == null || hostId.isBlank()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "a peer needs a host id");
    }
    if (dataPort < 1 || dataPort > 65535) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "data port must be 1..65535, got " + dataPort);
    }
    region = region == null ? "" : region;
    zone = zone == null ? "" : zone;
    nodepool = nodepool == null ? "" : nodepool;
  }
}
