package io.rayfile.runtime.protocol;

import io.rayfile.api.FileKind;
import io.rayfile.api.HandleInfo;
import io.rayfile.runtime.cluster.Wire;
import java.util.List;

/**
 * A file object as the runtime moves it between processes.
 *
 * @param fileId the GC identity of the file object
 * @param contentId {@code sha256:<hex>}
 * @param kind {@code FILE} or {@code DIRECTORY}
 * @param size bytes (of every file, for a directory)
 * @param name the name it was created with
 * @param owner the owning process id
 * @param seeds data-plane addresses of nodes known to hold it (fallbacks when no scheduler answers)
 */
public record FileSpec(long fileId, String contentId, FileKind kind, long size, String name, long owner,
    List<String> seeds) implements Wire {

  public FileSpec {
    seeds = seeds == null ? List.of() : List.copyOf(seeds);
  }

  /** The public description of this file. */
  public HandleInfo toHandleInfo() {
    return new HandleInfo(fileIdText(fileId), contentId, kind, size, name, Long.toString(owner));
  }

  /** From a public description (the seeds are not part of it). */
  public static FileSpec of(HandleInfo info, List<String> seeds) {
    return new FileSpec(parseFileId(info.fileId()), info.id(), info.kind(), info.size(), info.name(),
        Long.parseLong(info.owner()), seeds);
  }

  /** The same file with other seeds. */
  public FileSpec withSeeds(List<String> newSeeds) {
    return new FileSpec(fileId, contentId, kind, size, name, owner, newSeeds);
  }

  /** How a file id is written in {@link HandleInfo#fileId()}. */
  public static String fileIdText(long fileId) {
    return Long.toUnsignedString(fileId, 16);
  }

  /** Parses {@link #fileIdText}. */
  public static long parseFileId(String text) {
    return Long.parseUnsignedLong(text, 16);
  }
}
