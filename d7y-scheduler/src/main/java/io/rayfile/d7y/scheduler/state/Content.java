package io.rayfile.d7y.scheduler.state;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One swarm: a content's size (once known) and its peers in registration order. */
public final class Content {
  private final ContentRef ref;
  private ContentMeta meta;
  private final Map<String, Peer> peers = new LinkedHashMap<>();

  Content(ContentRef ref) {
    this.ref = ref;
  }

  public ContentRef ref() {
    return ref;
  }

  /** Null while unknown. */
  public ContentMeta meta() {
    return meta;
  }

  public Map<String, Peer> peers() {
    return Collections.unmodifiableMap(peers);
  }

  Map<String, Peer> peersMutable() {
    return peers;
  }

  void meta(ContentMeta m) {
    meta = m;
  }
}
