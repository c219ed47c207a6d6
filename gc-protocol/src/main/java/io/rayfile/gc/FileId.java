package io.rayfile.gc;

/**
 * Identity of one file object (one handle lineage), opaque to this module.
 *
 * <p>It is not the content id: two uploads of the same bytes are two file objects that may share storage. A
 * {@code FileId} is never reused, which is what lets a late message about a freed file be recognised as stale.
 *
 * @param value the id; any long, including 0 and negatives
 */
public record FileId(long value) {
  @Override
  public String toString() {
    return "F" + value;
  }
}
