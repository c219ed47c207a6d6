package io.rayfile.d7y.scheduler.state;

/** A swarm as {@code StatContent} reports it; {@code meta} is null while unknown. */
public record ContentSnapshot(ContentRef content, ContentMeta meta, int peerCount, int seedCount,
    int backToSourceCount, int waitingCount) {}
