package io.rayfile.d7y.scheduler.state;

import java.util.List;

/** A peer as {@code ListPeers} reports it. */
public record PeerSnapshot(String peerId, HostInfo host, PeerState state, int finishedPieceCount,
    List<String> parentPeerIds, List<String> childPeerIds, List<String> blocklist) {
  public PeerSnapshot {
    parentPeerIds = List.copyOf(parentPeerIds);
    childPeerIds = List.copyOf(childPeerIds);
    blocklist = List.copyOf(blocklist);
  }
}
