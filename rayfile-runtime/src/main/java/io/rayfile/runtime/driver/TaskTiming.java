package io.rayfile.runtime.driver;

/**
 * Where one task's time went, as the driver saw it.
 *
 * @param taskId the task
 * @param nodeId where it ran
 * @param ok whether it succeeded
 * @param totalNanos from dispatch (inputs resolved) to the outcome at the driver
 * @param waitNanos waiting on the node for a free worker (load, not overhead)
 * @param bodyNanos inside the task's method
 * @param prepNanos on the node, until its inputs were in the store
 * @param resolveNanos on the worker, materializing inputs
 * @param importNanos on the worker, importing and pinning the output
 */
public record TaskTiming(long taskId, String nodeId, boolean ok, long totalNanos, long waitNanos, long bodyNanos,
    long prepNanos, long resolveNanos, long importNanos) {

  /** The runtime's cost: everything but the task body and the wait for a worker. */
  public long overheadNanos() {
    return Math.max(0, totalNanos - waitNanos - bodyNanos);
  }

  /** Receives timings (on a runtime thread: keep it quick). */
  @FunctionalInterface
  public interface Listener {
    void finished(TaskTiming timing);
  }
}
