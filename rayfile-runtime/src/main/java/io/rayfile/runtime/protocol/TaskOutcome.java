package io.rayfile.runtime.protocol;

import io.rayfile.runtime.cluster.Wire;
import java.util.List;

/**
 * How a task ended on a node.
 *
 * @param taskId the task
 * @param nodeId the node that ran it
 * @param output on success: the output file (owned by the task's owner, pinned on that node)
 * @param error on failure: why (the task threw, an input could not be fetched, the method is not there...)
 * @param inputsHeld content ids of inputs this node now holds (for the owner's locality table)
 * @param waitNanos time the task waited for a free worker after its inputs were ready (load, not overhead)
 * @param bodyNanos time spent in the task's own method
 * @param prepNanos from arrival on the node until its inputs were in the store
 * @param resolveNanos materializing inputs on the worker
 * @param importNanos importing and pinning the output
 */
public record TaskOutcome(long taskId, String nodeId, FileSpec output, RemoteError error, List<String> inputsHeld,
    long waitNanos, long bodyNanos, long prepNanos, long resolveNanos, long importNanos) implements Wire {

  public TaskOutcome {
    inputsHeld = inputsHeld == null ? List.of() : List.copyOf(inputsHeld);
  }

  public boolean ok() {
    return error == null;
  }
}
