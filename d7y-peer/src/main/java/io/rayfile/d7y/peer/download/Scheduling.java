package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.util.Collection;
import java.util.Set;
import java.util.function.Consumer;

/** This node's view of the scheduler(s). Implementations pick the instance per content and never throw on I/O. */
public interface Scheduling extends AutoCloseable {

  /**
   * Opens an announce stream and registers. Decisions (including {@link Decision.Lost} when no instance answers or
   * the stream breaks) are delivered to {@code decisions}, in order, on some gRPC thread.
   */
  AnnounceSession announce(AnnounceSpec spec, Consumer<Decision> decisions);

  /** Tells the scheduler(s) this node holds these contents complete; replaceAll after a restart. */
  void announceContents(Collection<ContentInfo> held, boolean replaceAll);

  /** Tells the scheduler(s) this node no longer holds these contents. */
  void unregisterContents(Collection<String> keys);

  /**
   * Heartbeats every instance this node talks to.
   *
   * @return true when some instance did not know this host (restarted, or expired it): re-announce everything
   */
  boolean heartbeat();

  @Override
  void close();

  /** The reports a download sends on its stream. All are fire-and-forget. */
  interface AnnounceSession {
    void pieceFinished(int piece, String parentPeerId);

    void pieceFailed(int piece, String parentPeerId, String reason);

    void meta(PieceLayout layout);

    void reschedule(Set<String> blocklist, String reason);

    void heartbeat();

    void finished(PieceLayout layout);

    void failed(String reason, boolean sourceError);

    /** Closes the stream (a finished peer stays a parent). Idempotent. */
    void close();
  }
}
