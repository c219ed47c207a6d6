package io.rayfile.gc;

/**
 * Identity of one job; job-lifetime files are released when it ends.
 *
 * @param value the id
 */
public record JobId(long value) {
  @Override
  public String toString() {
    return "J" + value;
  }
}
