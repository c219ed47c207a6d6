package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.HostPort;
import java.util.BitSet;
import java.util.Optional;

/**
 * A parent the scheduler offered (or a seed the caller named).
 *
 * @param peerId the parent's peer id, used in reports
 * @param data its data-plane address
 * @param seed true when it holds every piece
 * @param pieces its finished pieces when known (empty for seeds and for parents to be asked over the data plane)
 */
public record ParentInfo(String peerId, HostPort data, boolean seed, Optional<BitSet> pieces) {}
