package io.rayfile.d7y.scheduler.state;

/** Names one peer: a download of one content. */
public record PeerKey(ContentRef content, String peerId) {}
