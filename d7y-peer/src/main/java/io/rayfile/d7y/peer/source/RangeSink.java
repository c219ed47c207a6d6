package io.rayfile.d7y.peer.source;

import java.nio.ByteBuffer;

/**
 * Where a {@link SourceBackend} streams the bytes of one range, in order. The buffer is only valid during the call
 * (the backend reuses it): consume or copy it before returning. An exception thrown here stops the fetch and is
 * rethrown by {@link SourceBackend#fetchRange} as it is.
 */
@FunctionalInterface
public interface RangeSink {
  /** Consumes the next bytes of the range. */
  void accept(ByteBuffer chunk);
}
