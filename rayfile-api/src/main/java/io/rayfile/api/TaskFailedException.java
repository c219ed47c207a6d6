package io.rayfile.api;

/**
 * A task threw. The remote exception is rebuilt here as the cause: its class name, message and stack trace as
 * they were on the node that ran it (the class itself need not exist in this JVM).
 */
public final class TaskFailedException extends RayFileException {
  private static final long serialVersionUID = 1L;

  private final String task;
  private final String node;

  public TaskFailedException(String task, String node, RemoteCause cause) {
    super(Code.TASK_FAILED, "task " + task + " failed on node " + node + ": " + cause.getMessage(), cause);
    this.task = task;
    this.node = node;
  }

  /** The task, as {@code Class::method}. */
  public String task() {
    return task;
  }

  /** The node it ran on. */
  public String node() {
    return node;
  }

  /** An exception thrown in another process: its class name and message, with its stack trace. */
  public static final class RemoteCause extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String remoteClass;

    public RemoteCause(String remoteClass, String message, StackTraceElement[] stack, RemoteCause cause) {
      super(remoteClass + (message == null ? "" : ": " + message), cause);
      this.remoteClass = remoteClass;
      setStackTrace(stack);
    }

    /** The class name of the exception thrown remotely. */
    public String remoteClass() {
      return remoteClass;
    }
  }
}
