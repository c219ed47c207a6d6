package io.rayfile.d7y.peer.storage;

/**
 * One entry of a directory {@link Manifest}: a file, a directory or a symlink, at a relative '/'-separated path.
 * Records do no validation of their own; {@link Manifest} validates the whole tree (paths only make sense
 * together).
 */
public sealed interface ManifestEntry permits ManifestEntry.FileEntry, ManifestEntry.DirEntry,
    ManifestEntry.SymlinkEntry {

  /** Relative path, '/'-separated, no leading or trailing slash. */
  String path();

  /** The {@code type} field of the JSON form. */
  String type();

  /**
   * A regular file.
   *
   * @param path relative path
   * @param size length in bytes; must equal the stored content's length
   * @param executable whether the owner-execute bit was set
   * @param id the file's content id
   */
  record FileEntry(String path, long size, boolean executable, ContentId id) implements ManifestEntry {
    @Override
    public String type() {
      return "file";
    }
  }

  /** A directory (every directory of the tree is listed, so empty ones survive). */
  record DirEntry(String path) implements ManifestEntry {
    @Override
    public String type() {
      return "dir";
    }
  }

  /**
   * A symbolic link whose target, resolved from the link's directory, stays inside the tree.
   *
   * @param path relative path of the link
   * @param target the link's target text, relative
   */
  record SymlinkEntry(String path, String target) implements ManifestEntry {
    @Override
    public String type() {
      return "symlink";
    }
  }
}
