package io.rayfile.runtime.node;

import io.rayfile.api.RayFileException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * Matches handles passed to this process (gc-protocol {@code Accepted} effects) with the tasks waiting for them.
 * A pass and the task it came with travel separately, so either may arrive first. Thread-safe.
 */
final class Borrows {
  private final Map<Long, Integer> accepted = new HashMap<>();
  private final Map<Long, Queue<CompletableFuture<Void>>> waiting = new HashMap<>();

  /** A passed handle became usable here. */
  synchronized void accepted(long file) {
    Queue<CompletableFuture<Void>> q = waiting.get(file);
    if (q != null && !q.isEmpty()) {
      q.poll().complete(null);
      return;
    }
    accepted.merge(file, 1, Integer::sum);
  }

  /** A passed handle is void (its file was freed or its owner died): fail whoever waits for it. */
  synchronized void voided(long file, String why) {
    Queue<CompletableFuture<Void>> q = waiting.remove(file);
    if (q != null) {
      q.forEach(f -> f.completeExceptionally(new RayFileException(RayFileException.Code.OWNER_DIED, why)));
    }
  }

  /** Completes when one handle to {@code file} has been accepted here, for one task. */
  synchronized CompletableFuture<Void> await(long file) {
    Integer n = accepted.get(file);
    if (n != null) {
      if (n == 1) {
        accepted.remove(file);
      } else {
        accepted.put(file, n - 1);
      }
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    waiting.computeIfAbsent(file, k -> new ArrayDeque<>()).add(f);
    return f;
  }
}
