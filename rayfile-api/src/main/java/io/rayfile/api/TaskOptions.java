package io.rayfile.api;

import java.util.Optional;

/**
 * How a task runs. Immutable; each {@code with...} method returns a copy.
 *
 * <pre>{@code
 * rt.task(Models::warmUp, model).options(TaskOptions.defaults().spread()).remote();
 * }</pre>
 *
 * @param maxRetries how many times a task whose node or worker died is run again elsewhere (0: never)
 * @param cpus CPUs the task needs while it runs (a node runs tasks while their needs fit its CPUs)
 * @param memoryBytes memory the task needs while it runs, 0 for no reservation
 * @param placement where to run it
 * @param node with {@link Placement#NODE}: the node's id
 */
public record TaskOptions(int maxRetries, double cpus, long memoryBytes, Placement placement, Optional<String> node) {

  /** Where a task runs. */
  public enum Placement {
    /** On the node holding the most bytes of its inputs; ties go to the least loaded. */
    LOCALITY,
    /** On the least loaded node, round robin among equals: to spread work (or copies) over the cluster. */
    SPREAD,
    /** On one named node. */
    NODE
  }

  private static final TaskOptions DEFAULTS = new TaskOptions(3, 1, 0, Placement.LOCALITY, Optional.empty());

  /** Checks the combination. */
  public TaskOptions {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
    }
    if (!(cpus > 0) || Double.isInfinite(cpus)) {
      throw new IllegalArgumentException("cpus must be > 0, got " + cpus);
    }
    if (memoryBytes < 0) {
      throw new IllegalArgumentException("memoryBytes must be >= 0, got " + memoryBytes);
    }
    if ((placement == Placement.NODE) != node.isPresent()) {
      throw new IllegalArgumentException("a node id is needed for, and only for, NODE placement");
    }
  }

  /** Three retries, one CPU, locality placement. */
  public static TaskOptions defaults() {
    return DEFAULTS;
  }

  public TaskOptions maxRetries(int n) {
    return new TaskOptions(n, cpus, memoryBytes, placement, node);
  }

  public TaskOptions cpus(double n) {
    return new TaskOptions(maxRetries, n, memoryBytes, placement, node);
  }

  public TaskOptions memoryBytes(long n) {
    return new TaskOptions(maxRetries, cpus, n, placement, node);
  }

  /** Runs on the least loaded node instead of near its inputs. */
  public TaskOptions spread() {
    return new TaskOptions(maxRetries, cpus, memoryBytes, Placement.SPREAD, Optional.empty());
  }

  /** Runs on node {@code nodeId} (see {@link RayFileRuntime#nodes()}). */
  public TaskOptions onNode(String nodeId) {
    return new TaskOptions(maxRetries, cpus, memoryBytes, Placement.NODE, Optional.of(nodeId));
  }
}
