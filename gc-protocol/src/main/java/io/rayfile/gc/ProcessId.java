package io.rayfile.gc;

/**
 * Identity of one process incarnation (a worker, driver or the head), opaque to this module.
 *
 * <p>A restarted process must get a new id: once membership has declared an id dead, every message from it is
 * ignored for ever.
 *
 * @param value the id
 */
public record ProcessId(long value) {
  @Override
  public String toString() {
    return "P" + value;
  }
}
