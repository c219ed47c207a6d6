package io.rayfile.gc;

/**
 * Identity of one submitted task, used to make task-argument counting idempotent.
 *
 * @param value the id
 */
public record TaskId(long value) {
  @Override
  public String toString() {
    return "T" + value;
  }
}
