package io.rayfile.d7y.scheduler.state;

/** Where a peer's download stands, as the scheduler sees it. */
public enum PeerState {
  /** Registered; no usable parent and no origin turn yet. */
  WAITING,
  /** Has parents. */
  RUNNING,
  /** Reading the origin (counts against its nodepool's quota). */
  BACK_TO_SOURCE,
  /** Holds every piece: finished download or announced content. */
  SUCCEEDED,
  /** Reported failure; kept (never offered as parent) until its stream ends. */
  FAILED
}
