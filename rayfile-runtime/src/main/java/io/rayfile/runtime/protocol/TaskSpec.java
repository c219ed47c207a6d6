package io.rayfile.runtime.protocol;

import io.rayfile.runtime.cluster.Wire;
import java.util.List;

/**
 * A task to run, as the owner sends it to a node.
 *
 * @param taskId the task's id (unique in the cluster, also the GC task id)
 * @param jobId the job it belongs to
 * @param fnClass the class declaring the static method
 * @param fnMethod the method's name
 * @param fnDescriptor the method's JVM descriptor
 * @param args the arguments, in parameter order
 * @param outputFileId the file id its output gets
 * @param owner the process that submitted it (owns the output)
 * @param attempt 0, then 1, 2... for retries
 * @param cpus CPUs it needs while it runs
 * @param memoryBytes memory it needs while it runs (0: no reservation)
 */
public record TaskSpec(long taskId, String jobId, String fnClass, String fnMethod, String fnDescriptor,
    List<ArgSpec> args, long outputFileId, long owner, int attempt, double cpus, long memoryBytes) implements Wire {

  public TaskSpec {
    args = List.copyOf(args);
  }

  /** The same task with these arguments, for this attempt. */
  public TaskSpec with(List<ArgSpec> newArgs, int newAttempt) {
    return new TaskSpec(taskId, jobId, fnClass, fnMethod, fnDescriptor, newArgs, outputFileId, owner, newAttempt,
        cpus, memoryBytes);
  }

  /** {@code Class::method}, for messages. */
  public String displayName() {
    return fnClass.substring(fnClass.lastIndexOf('.') + 1) + "::" + fnMethod;
  }

  /** The printable task id. */
  public String idText() {
    return Long.toUnsignedString(taskId, 16);
  }
}
