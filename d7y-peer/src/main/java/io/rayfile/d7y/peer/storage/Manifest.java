package io.rayfile.d7y.peer.storage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ManifestEntry.DirEntry;
import io.rayfile.d7y.peer.storage.ManifestEntry.FileEntry;
import io.rayfile.d7y.peer.storage.ManifestEntry.SymlinkEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A directory's canonical manifest: {@code {"version":1,"entries":[...]}} as UTF-8 JSON without whitespace,
 * entries sorted by the UTF-8 bytes of their path, fields in a fixed order. The directory's content id is the
 * SHA-256 of exactly these bytes, so {@link #toBytes()} must never change for a given tree.
 *
 * <p>Manifests arrive from other peers: {@link #parse(byte[])} is strict and every violation is a
 * {@link ErrorCode#BAD_MANIFEST} error naming the entry and the rule. A valid manifest can be written below any
 * directory without anything landing outside it.
 *
 * @param entries the entries, sorted by path
 */
public record Manifest(List<ManifestEntry> entries) {
  public static final int VERSION = 1;
  public static final int MAX_PATH_BYTES = 4096;
  public static final int MAX_SEGMENT_BYTES = 255;
  public static final int MAX_ENTRIES = 1_000_000;
  public static final int MAX_MANIFEST_BYTES = 256 << 20;
  private static final int MAX_SYMLINK_HOPS = 40;
  private static final Comparator<ManifestEntry> BY_PATH_BYTES =
      (a, b) -> Arrays.compareUnsigned(utf8(a.path()), utf8(b.path()));
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  /** Sorts and validates {@code entries}; a violation is a BAD_MANIFEST error. */
  public Manifest {
    List<ManifestEntry> sorted = new ArrayList<>(entries);
    sorted.sort(BY_PATH_BYTES);
    entries = List.copyOf(sorted);
    validate(entries);
  }

  /** Total bytes of the file entries (a file named twice counts twice: it is the tree's size on disk). */
  public long treeBytes() {
    long sum = 0;
    for (ManifestEntry e : entries) {
      if (e instanceof FileEntry f) {
        sum += f.size();
      }
    }
    return sum;
  }

  /** The distinct contents the file entries name, in path order of their first use. */
  public Set<ContentId> fileIds() {
    Set<ContentId> ids = new LinkedHashSet<>();
    for (ManifestEntry e : entries) {
      if (e instanceof FileEntry f) {
        ids.add(f.id());
      }
    }
    return ids;
  }

  /** The canonical bytes. */
  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + entries.size() * 128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("version", VERSION);
      g.writeArrayFieldStart("entries");
      for (ManifestEntry e : entries) {
        g.writeStartObject();
        g.writeStringField("path", e.path());
        g.writeStringField("type", e.type());
        if (e instanceof FileEntry f) {
          g.writeNumberField("size", f.size());
          g.writeBooleanField("executable", f.executable());
          g.writeStringField("id", f.id().toString());
        } else if (e instanceof SymlinkEntry s) {
          g.writeStringField("target", s.target());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return out.toByteArray();
  }

  /** The content id of {@link #toBytes()}. */
  public ContentId id() {
    try {
      return ContentId.ofDigest(java.security.MessageDigest.getInstance("SHA-256").digest(toBytes()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Parses untrusted manifest bytes. Rejects malformed JSON, trailing bytes, unknown or missing fields, wrong
   * value types, an unsupported version, and every path rule of {@link Manifest}.
   */
  public static Manifest parse(byte[] json) {
    if (json.length > MAX_MANIFEST_BYTES) {
      throw bad("manifest is " + json.length + " bytes, more than the limit of " + MAX_MANIFEST_BYTES);
    }
    try (JsonParser p = JSON.createParser(json)) {
      expect(p, p.nextToken(), JsonToken.START_OBJECT, "the manifest");
      Integer version = null;
      List<ManifestEntry> entries = null;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "version" -> {
            if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
              throw bad("field 'version' must be an integer");
            }
            version = p.getIntValue();
            if (version != VERSION) {
              throw bad("unsupported manifest version " + version + "; this peer reads version " + VERSION);
            }
          }
          case "entries" -> {
            expect(p, v, JsonToken.START_ARRAY, "field 'entries'");
            entries = new ArrayList<>();
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              if (entries.size() >= MAX_ENTRIES) {
                throw bad("more than " + MAX_ENTRIES + " entries");
              }
              expect(p, e, JsonToken.START_OBJECT, "entry #" + entries.size());
              entries.add(parseEntry(p, entries.size()));
            }
          }
          default -> throw bad("unknown top-level field '" + field + "' (allowed: version, entries)");
        }
      }
      if (version == null) {
        throw bad("missing field 'version'");
      }
      if (entries == null) {
        throw bad("missing field 'entries'");
      }
      if (p.nextToken() != null) {
        throw bad("trailing bytes after the manifest object at offset " + p.currentTokenLocation().getByteOffset());
      }
      return new Manifest(entries);
    } catch (JsonProcessingException e) {
      throw bad("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading from memory does not fail otherwise
    }
  }

  private static ManifestEntry parseEntry(JsonParser p, int index) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      String where = "entry #" + index + ": field '" + field + "'";
      switch (field) {
        case "path", "type", "id", "target" -> {
          if (v != JsonToken.VALUE_STRING) {
            throw bad(where + " must be a string");
          }
          fields.put(field, p.getText());
        }
        case "size" -> {
          if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw bad(where + " must be an integer that fits in 64 bits");
          }
          fields.put(field, p.getLongValue());
        }
        case "executable" -> {
          if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
            throw bad(where + " must be true or false");
          }
          fields.put(field, v == JsonToken.VALUE_TRUE);
        }
        default -> throw bad("entry #" + index + ": unknown field '" + field
            + "' (allowed: path, type, size, executable, id, target)");
      }
    }
    String path = (String) fields.get("path");
    String name = "entry #" + index + (path == null ? "" : " ('" + printable(path) + "')");
    if (path == null) {
      throw bad(name + ": missing field 'path'");
    }
    Object type = fields.get("type");
    if (type == null) {
      throw bad(name + ": missing field 'type'");
    }
    switch ((String) type) {
      case "file" -> {
        only(fields, name, "file", "path", "type", "size", "executable", "id");
        long size = (Long) fields.get("size");
        if (size < 0) {
          throw bad(name + ": negative size " + size);
        }
        String id = (String) fields.get("id");
        ContentId cid;
        try {
          cid = ContentId.parse(id);
        } catch (PeerException e) {
          throw bad(name + ": bad id: " + e.getMessage());
        }
        return new FileEntry(path, size, (Boolean) fields.get("executable"), cid);
      }
      case "dir" -> {
        only(fields, name, "dir", "path", "type");
        return new DirEntry(path);
      }
      case "symlink" -> {
        only(fields, name, "symlink", "path", "type", "target");
        return new SymlinkEntry(path, (String) fields.get("target"));
      }
      default -> throw bad(name + ": unknown type '" + printable((String) type)
          + "' (allowed: file, dir, symlink)");
    }
  }

  private static void only(Map<String, Object> fields, String name, String type, String... allowed) {
    List<String> want = List.of(allowed);
    for (String f : fields.keySet()) {
      if (!want.contains(f)) {
        throw bad(name + ": field '" + f + "' does not belong to a " + type + " entry");
      }
    }
    for (String f : want) {
      if (!fields.containsKey(f)) {
        throw bad(name + ": a " + type + " entry needs field '" + f + "'");
      }
    }
  }

  private static void expect(JsonParser p, JsonToken got, JsonToken want, String what) {
    if (got != want) {
      throw bad(what + " must be a JSON " + (want == JsonToken.START_OBJECT ? "object" : "array") + ", found "
          + (got == null ? "end of input" : got.asString() == null ? got.name() : "'" + got.asString() + "'"));
    }
  }

  // ---------------------------------------------------------------- validation

  private static void validate(List<ManifestEntry> entries) {
    if (entries.size() > MAX_ENTRIES) {
      throw bad("more than " + MAX_ENTRIES + " entries");
    }
    Map<String, ManifestEntry> byPath = new HashMap<>();
    for (ManifestEntry e : entries) {
      if (e == null) {
        throw bad("a null entry");
      }
      checkPath(e.path());
      if (byPath.putIfAbsent(e.path(), e) != null) {
        throw bad("entry '" + printable(e.path()) + "': duplicate path");
      }
      if (e instanceof FileEntry f) {
        if (f.size() < 0) {
          throw bad("entry '" + printable(f.path()) + "': negative size " + f.size());
        }
        if (f.id() == null) {
          throw bad("entry '" + printable(f.path()) + "': missing id");
        }
      }
    }
    for (ManifestEntry e : entries) {
      String path = e.path();
      for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
        ManifestEntry parent = byPath.get(path.substring(0, slash));
        if (parent != null && !(parent instanceof DirEntry)) {
          throw bad("entry '" + printable(path) + "': its parent '" + printable(parent.path()) + "' is a "
              + parent.type() + ", not a dir");
        }
      }
      if (e instanceof SymlinkEntry s) {
        checkSymlink(s, byPath);
      }
    }
  }

  private static void checkPath(String path) {
    if (path == null || path.isEmpty()) {
      throw bad("an entry has an empty path");
    }
    String name = "entry '" + printable(path) + "'";
    if (path.startsWith("/")) {
      throw bad(name + ": absolute path; paths must be relative to the directory");
    }
    checkChars(path, name + ": path");
    byte[] bytes = utf8(path);
    if (bytes.length > MAX_PATH_BYTES) {
      throw bad(name + ": path is " + bytes.length + " bytes, more than " + MAX_PATH_BYTES);
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) {
        throw bad(name + ": empty path segment ('//' or a trailing '/')");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw bad(name + ": path segment '" + segment + "' is not allowed");
      }
      int len = utf8(segment).length;
      if (len > MAX_SEGMENT_BYTES) {
        throw bad(name + ": path segment of " + len + " bytes, more than " + MAX_SEGMENT_BYTES);
      }
    }
  }

  private static void checkChars(String s, String what) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        throw bad(what + " contains a backslash");
      }
      if (c < 0x20 || c == 0x7f) {
        throw bad(what + " contains control character U+" + String.format("%04X", (int) c));
      }
      if (Character.isSurrogate(c)) {
        boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        if (!paired) {
          throw bad(what + " contains an unpaired surrogate (not valid UTF-8)");
        }
        i++;
      }
    }
  }

  /**
   * Resolves the link's target the way the kernel would, expanding links of this manifest met on the way (so a
   * {@code ..} after a link to a directory goes up from where that link points), and rejects any step above the
   * tree's root.
   */
  private static void checkSymlink(SymlinkEntry link, Map<String, ManifestEntry> byPath) {
    String name = "symlink '" + printable(link.path()) + "'";
    String target = link.target();
    if (target == null || target.isEmpty()) {
      throw bad(name + ": empty target");
    }
    if (target.startsWith("/")) {
      throw bad(name + ": absolute target '" + printable(target) + "' leaves the tree");
    }
    checkChars(target, name + ": target");
    if (utf8(target).length > MAX_PATH_BYTES) {
      throw bad(name + ": target longer than " + MAX_PATH_BYTES + " bytes");
    }
    Deque<String> at = new ArrayDeque<>(List.of(link.path().split("/")));
    at.removeLast(); // the link's directory
    Deque<String> todo = new ArrayDeque<>(List.of(target.split("/", -1)));
    int hops = 0;
    while (!todo.isEmpty()) {
      String seg = todo.removeFirst();
      if (seg.isEmpty()) {
        if (todo.isEmpty()) {
          break; // a trailing '/' means "a directory"; nothing to resolve
        }
        throw bad(name + ": empty segment in target '" + printable(target) + "'");
      }
      if (seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        if (at.isEmpty()) {
          throw bad(name + ": target '" + printable(target) + "' leaves the tree");
        }
        at.removeLast();
        continue;
      }
      at.addLast(seg);
      if (todo.isEmpty()) {
        break; // the final component may itself be a link: that link is checked on its own
      }
      ManifestEntry hit = byPath.get(String.join("/", at));
      if (hit instanceof SymlinkEntry inner) {
        if (++hops > MAX_SYMLINK_HOPS) {
          throw bad(name + ": too many levels of symbolic links");
        }
        at.removeLast();
        if (inner.target().startsWith("/")) {
          throw bad(name + ": goes through symlink '" + printable(inner.path()) + "' which leaves the tree");
        }
        List<String> innerSegs = List.of(inner.target().split("/", -1));
        for (int i = innerSegs.size() - 1; i >= 0; i--) {
          todo.addFirst(innerSegs.get(i));
        }
      }
    }
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    int max = Math.min(s.length(), 200);
    for (int i = 0; i < max; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > max) {
      b.append("...(").append(s.length()).append(" chars)");
    }
    return b.toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static PeerException bad(String message) {
    return new PeerException(ErrorCode.BAD_MANIFEST, "bad manifest: " + message);
  }
}
