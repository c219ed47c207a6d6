package io.rayfile.api;

import java.io.Serializable;
import java.util.Objects;

/**
 * The immutable description of a file object, as it travels between processes.
 *
 * @param fileId identity of this file object for reference counting (never reused; two uploads of the same bytes
 *     are two file objects sharing one content)
 * @param id the content id, {@code sha256:<hex>}
 * @param kind file or directory
 * @param size bytes of the file, or of every file in the directory
 * @param name the file or directory name it was created with (for display and for materializing)
 * @param owner the process that owns it (decides when it is freed)
 */
public record HandleInfo(String fileId, String id, FileKind kind, long size, String name, String owner)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks the fields. */
  public HandleInfo {
    Objects.requireNonNull(fileId, "fileId");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(owner, "owner");
    if (!id.startsWith("sha256:")) {
      throw new IllegalArgumentException("a content id starts with sha256:, got " + id);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, got " + size);
    }
  }
}
