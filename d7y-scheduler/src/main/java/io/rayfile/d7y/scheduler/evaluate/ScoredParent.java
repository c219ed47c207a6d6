package io.rayfile.d7y.scheduler.evaluate;

import io.rayfile.d7y.scheduler.state.Peer;

/** A parent that passed every filter, with its score in [0, 1]. */
public record ScoredParent(Peer peer, double score) {}
