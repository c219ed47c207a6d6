package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Consistent-hash ring of scheduler instances: maps a content id to the instance that owns it. Peers use it to
 * pick the scheduler for a download; every peer with the same address list picks the same instance. Adding or
 * removing one of N instances moves about 1/N of the contents. Immutable and thread-safe.
 *
 * <pre>{@code
 * SchedulerRing ring = SchedulerRing.of(List.of("sched-a:8002", "sched-b:8002", "sched-c:8002"));
 * String owner = ring.pick("sha256:...");
 * List<String> inOrder = ring.pickInOrder("sha256:...", 2); // owner, then the fallback instance
 * }</pre>
 */
public final class SchedulerRing {
  /** Virtual nodes per instance: enough for a spread within ~10% of even at a handful of instances. */
  public static final int DEFAULT_VIRTUAL_NODES = 160;

  private final List<String> addresses;
  private final NavigableMap<Long, String> ring;

  private SchedulerRing(List<String> addresses, int virtualNodes) {
    this.addresses = List.copyOf(addresses);
    TreeMap<Long, String> points = new TreeMap<>();
    for (String address : this.addresses) {
      for (int i = 0; i < virtualNodes; i++) {
        long point = hash(address + "#" + i);
        // On the (astronomically rare) collision, the smaller address wins, so every peer agrees.
        points.merge(point, address, (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
    }
    this.ring = Collections.unmodifiableNavigableMap(points);
  }

  /** A ring of {@code addresses} ({@code host:port}, any order, no duplicates) with the default virtual nodes. */
  public static SchedulerRing of(List<String> addresses) {
    return of(addresses, DEFAULT_VIRTUAL_NODES);
  }

  /** A ring of {@code addresses} with {@code virtualNodes} points per instance. */
  public static SchedulerRing of(List<String> addresses, int virtualNodes) {
    Objects.requireNonNull(addresses, "addresses");
    if (addresses.isEmpty()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "a scheduler ring needs at least one scheduler address");
    }
    if (virtualNodes < 1 || virtualNodes > 10_000) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "virtualNodes must be in [1, 10000], got " + virtualNodes);
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String a : addresses) {
      if (a == null || a.isBlank()) {
        throw new PeerException(ErrorCode.INVALID_ARGUMENT, "a scheduler address must not be blank");
      }
      if (!seen.add(a.strip())) {
        throw new PeerException(ErrorCode.INVALID_ARGUMENT, "scheduler address listed twice: " + a);
      }
    }
    List<String> sorted = new ArrayList<>(seen);
    Collections.sort(sorted);
    return new SchedulerRing(sorted, virtualNodes);
  }

  /** The instances, sorted. */
  public List<String> addresses() {
    return addresses;
  }

  /** The instance owning {@code contentId}. */
  public String pick(String contentId) {
    Objects.requireNonNull(contentId, "contentId");
    Map.Entry<Long, String> e = ring.ceilingEntry(hash(contentId));
    return (e != null ? e : ring.firstEntry()).getValue();
  }

  /**
   * Up to {@code n} distinct instances for {@code contentId}: the owner first, then the instances that would own
   * it if the ones before were gone. A peer whose owner is unreachable tries the next one.
   */
  public List<String> pickInOrder(String contentId, int n) {
    Objects.requireNonNull(contentId, "contentId");
    int want = Math.min(n, addresses.size());
    List<String> out = new ArrayList<>(want);
    if (want <= 0) {
      return out;
    }
    long h = hash(contentId);
    for (String a : ring.tailMap(h, true).values()) {
      if (!out.contains(a) && out.add(a) && out.size() == want) {
        return out;
      }
    }
    for (String a : ring.values()) {
      if (!out.contains(a) && out.add(a) && out.size() == want) {
        return out;
      }
    }
    return out;
  }

  /** First 8 bytes of SHA-256, big-endian: stable across JVMs and languages (the Python bridge can match it). */
  static long hash(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xffL);
      }
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "SchedulerRing" + addresses;
  }
}
