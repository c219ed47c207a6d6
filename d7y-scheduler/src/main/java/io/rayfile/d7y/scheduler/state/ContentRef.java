package io.rayfile.d7y.scheduler.state;

import io.rayfile.d7y.scheduler.SchedulerException;

/**
 * What a swarm is about: a RayFile content ({@code sha256:<64 hex>}) or a URL task ({@code task:<64 hex>}).
 *
 * @param id the validated id, as sent
 */
public record ContentRef(String id) implements Comparable<ContentRef> {
  public static final String CONTENT_PREFIX = "sha256:";
  public static final String TASK_PREFIX = "task:";

  public ContentRef {
    if (!valid(id)) {
      throw SchedulerException.invalid("content id must look like 'sha256:<64 lowercase hex>' or "
          + "'task:<64 lowercase hex>', got: " + Ids.describe(id));
    }
  }

  /** Parses and validates an id from the wire. */
  public static ContentRef parse(String id) {
    return new ContentRef(id);
  }

  /** True for a URL task (it has an external origin), false for a RayFile content. */
  public boolean isUrlTask() {
    return id.startsWith(TASK_PREFIX);
  }

  private static boolean valid(String id) {
    if (id == null) {
      return false;
    }
    String hex;
    if (id.startsWith(CONTENT_PREFIX)) {
      hex = id.substring(CONTENT_PREFIX.length());
    } else if (id.startsWith(TASK_PREFIX)) {
      hex = id.substring(TASK_PREFIX.length());
    } else {
      return false;
    }
    if (hex.length() != 64) {
      return false;
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int compareTo(ContentRef o) {
    return id.compareTo(o.id);
  }

  @Override
  public String toString() {
    return id;
  }
}
