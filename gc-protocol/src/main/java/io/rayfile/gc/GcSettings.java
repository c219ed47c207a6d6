package io.rayfile.gc;

import java.util.Objects;

/**
 * Settings shared by every node of one cluster.
 *
 * @param anchor the durable process (the head's job registry) that owns job- and detached-lifetime files
 * @param retryIntervalMillis how often unanswered messages are re-sent and silent borrowers are asked for their
 *     state (one reconciliation round); the unit is whatever clock the caller passes as {@code now}
 */
public record GcSettings(ProcessId anchor, long retryIntervalMillis) {
  /** Validates the settings. */
  public GcSettings {
    Objects.requireNonNull(anchor, "anchor");
    if (retryIntervalMillis <= 0) {
      throw new IllegalArgumentException("retryIntervalMillis must be > 0, got " + retryIntervalMillis);
    }
  }
}
