package io.rayfile.d7y.scheduler;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable scheduler settings, validated when built. Start from {@link #defaults()} or {@link #builder()}:
 *
 * <pre>{@code
 * SchedulerSettings s = SchedulerSettings.builder().backToSourcePerNodepool(2).metricsPort(9464).build();
 * }</pre>
 *
 * @param backToSourcePerNodepool K: peers of one nodepool that may read the origin of one content at a time
 * @param crossNodepoolPerNodepool peers of one nodepool that may fetch one content from parents outside the
 *     nodepool at a time (while nobody inside has pieces)
 * @param candidateParents parents offered per answer (best first)
 * @param defaultUploadSlots upload slots of a host that announces 0
 * @param maxUploadSlots upper bound on the slots a host may announce
 * @param parentFailureLimit piece failures reported against a parent (by any child) after which it is no longer
 *     offered for that content
 * @param heartbeatTimeout a host or a downloading peer silent this long is dropped
 * @param sweepInterval how often expiry runs (and waiting peers are re-examined)
 * @param slotWait how long a peer that could read the origin waits for a busy holder of its nodepool (one whose
 *     host has no free upload slot) before the origin is allowed again; a freed slot ends the wait at once
 * @param maxPieceCount largest piece count accepted for one content (bounds memory per peer)
 * @param metricsHost address the Prometheus endpoint binds to (loopback by default)
 * @param metricsPort port of {@code /metrics}; 0 = any free port, -1 = no metrics endpoint
 */
public record SchedulerSettings(
    int backToSourcePerNodepool,
    int crossNodepoolPerNodepool,
    int candidateParents,
    int defaultUploadSlots,
    int maxUploadSlots,
    int parentFailureLimit,
    Duration heartbeatTimeout,
    Duration sweepInterval,
    Duration slotWait,
    int maxPieceCount,
    String metricsHost,
    int metricsPort) {

  public SchedulerSettings {
    Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    Objects.requireNonNull(slotWait, "slotWait");
    Objects.requireNonNull(metricsHost, "metricsHost");
    check(backToSourcePerNodepool >= 1, "backToSourcePerNodepool must be >= 1, got " + backToSourcePerNodepool);
    check(crossNodepoolPerNodepool >= 1,
        "crossNodepoolPerNodepool must be >= 1, got " + crossNodepoolPerNodepool);
    check(candidateParents >= 1 && candidateParents <= 64,
        "candidateParents must be in [1, 64], got " + candidateParents);
    check(maxUploadSlots >= 1 && maxUploadSlots <= 100_000,
        "maxUploadSlots must be in [1, 100000], got " + maxUploadSlots);
    check(defaultUploadSlots >= 1 && defaultUploadSlots <= maxUploadSlots,
        "defaultUploadSlots must be in [1, maxUploadSlots=" + maxUploadSlots + "], got " + defaultUploadSlots);
    check(parentFailureLimit >= 1, "parentFailureLimit must be >= 1, got " + parentFailureLimit);
    check(!heartbeatTimeout.isNegative() && !heartbeatTimeout.isZero(),
        "heartbeatTimeout must be positive, got " + heartbeatTimeout);
    check(!sweepInterval.isNegative() && !sweepInterval.isZero(),
        "sweepInterval must be positive, got " + sweepInterval);
    check(!slotWait.isNegative(), "slotWait must not be negative, got " + slotWait);
    check(maxPieceCount >= 1 && maxPieceCount <= (1 << 24), "maxPieceCount must be in [1, 2^24], got " + maxPieceCount);
    check(!metricsHost.isBlank(), "metricsHost must not be blank");
    check(metricsPort >= -1 && metricsPort <= 65535, "metricsPort must be -1 (off), 0 (any) or a port, got "
        + metricsPort);
  }

  /** The defaults documented in docs/scheduling.md. */
  public static SchedulerSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder()
        .backToSourcePerNodepool(backToSourcePerNodepool)
        .crossNodepoolPerNodepool(crossNodepoolPerNodepool)
        .candidateParents(candidateParents)
        .defaultUploadSlots(defaultUploadSlots)
        .maxUploadSlots(maxUploadSlots)
        .parentFailureLimit(parentFailureLimit)
        .heartbeatTimeout(heartbeatTimeout)
        .sweepInterval(sweepInterval)
        .slotWait(slotWait)
        .maxPieceCount(maxPieceCount)
        .metricsHost(metricsHost)
        .metricsPort(metricsPort);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw SchedulerException.invalid("invalid scheduler settings: " + message);
    }
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private int backToSourcePerNodepool = 1;
    private int crossNodepoolPerNodepool = 1;
    private int candidateParents = 4;
    private int defaultUploadSlots = 8;
    private int maxUploadSlots = 1024;
    private int parentFailureLimit = 5;
    private Duration heartbeatTimeout = Duration.ofSeconds(30);
    private Duration sweepInterval = Duration.ofSeconds(5);
    private Duration slotWait = Duration.ofSeconds(2);
    private int maxPieceCount = 1 << 20;
    private String metricsHost = "127.0.0.1";
    private int metricsPort = 0;

    private Builder() {}

    public Builder backToSourcePerNodepool(int v) {
      backToSourcePerNodepool = v;
      return this;
    }

    public Builder crossNodepoolPerNodepool(int v) {
      crossNodepoolPerNodepool = v;
      return this;
    }

    public Builder candidateParents(int v) {
      candidateParents = v;
      return this;
    }

    public Builder defaultUploadSlots(int v) {
      defaultUploadSlots = v;
      return this;
    }

    public Builder maxUploadSlots(int v) {
      maxUploadSlots = v;
      return this;
    }

    public Builder parentFailureLimit(int v) {
      parentFailureLimit = v;
      return this;
    }

    public Builder heartbeatTimeout(Duration v) {
      heartbeatTimeout = v;
      return this;
    }

    public Builder sweepInterval(Duration v) {
      sweepInterval = v;
      return this;
    }

    public Builder slotWait(Duration v) {
      slotWait = v;
      return this;
    }

    public Builder maxPieceCount(int v) {
      maxPieceCount = v;
      return this;
    }

    public Builder metricsHost(String v) {
      metricsHost = v;
      return this;
    }

    public Builder metricsPort(int v) {
      metricsPort = v;
      return this;
    }

    public SchedulerSettings build() {
      return new SchedulerSettings(backToSourcePerNodepool, crossNodepoolPerNodepool, candidateParents,
          defaultUploadSlots, maxUploadSlots, parentFailureLimit, heartbeatTimeout, sweepInterval, slotWait,
          maxPieceCount, metricsHost, metricsPort);
    }
  }
}
