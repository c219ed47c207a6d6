package io.rayfile.d7y.scheduler.state;

/** What the scheduler reports to metrics. Called with the scheduler's lock held: must be cheap. */
public interface SchedulerEvents {
  SchedulerEvents NONE = new SchedulerEvents() {};

  /** An answer was made; {@code type} is parents, back_to_source, empty, wait or error. */
  default void decision(String type) {}

  default void pieceFailed() {}

  /** A download ended; {@code result} is succeeded or failed. */
  default void downloadEnded(String result) {}

  /** A peer or host was dropped; {@code why} is left, expired, unregistered or host_left. */
  default void peerRemoved(String why) {}
}
