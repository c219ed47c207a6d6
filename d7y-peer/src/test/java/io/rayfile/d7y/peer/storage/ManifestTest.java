package io.rayfile.d7y.peer.storage;

import static io.rayfile.d7y.peer.storage.StoreTestSupport.putThroughPieces;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ManifestEntry.DirEntry;
import io.rayfile.d7y.peer.storage.ManifestEntry.FileEntry;
import io.rayfile.d7y.peer.storage.ManifestEntry.SymlinkEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Manifests are untrusted: every rule is rejected at parse and at materialize, before anything is written. */
class ManifestTest {
  private static final String ID = "sha256:" + "ab".repeat(32);

  @TempDir static Path tmp;
  private static FileContentStore store;

  @BeforeAll
  static void open() {
    store = FileContentStore.open(StoreTestSupport.settings(tmp.resolve("data"), StoreTestSupport.clock()));
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static String file(String path) {
    return "{\"path\":\"" + path + "\",\"type\":\"file\",\"size\":1,\"executable\":false,\"id\":\"" + ID + "\"}";
  }

  private static String manifest(String... entries) {
    return "{\"version\":1,\"entries\":[" + String.join(",", entries) + "]}";
  }

  static Stream<Arguments> hostile() {
    return Stream.of(
        Arguments.of("absolute path", manifest(file("/etc/passwd")), "absolute path"),
        Arguments.of("dot-dot segment", manifest(file("a/../../x")), "segment '..'"),
        Arguments.of("dot segment", manifest(file("./x")), "segment '.'"),
        Arguments.of("empty segment", manifest(file("a//b")), "empty path segment"),
        Arguments.of("trailing slash", manifest(file("a/")), "empty path segment"),
        Arguments.of("backslash", manifest(file("a\\\\b")), "backslash"),
        Arguments.of("NUL", manifest(file("a\\u0000b")), "control character"),
        Arguments.of("newline", manifest(file("a\\nb")), "control character"),
        Arguments.of("long path", manifest(file(("d".repeat(200) + "/").repeat(21) + "f")), "more than 4096"),
        Arguments.of("long segment", manifest(file("x".repeat(256))), "more than 255"),
        Arguments.of("duplicate path", manifest(file("a"), file("a")), "duplicate path"),
        Arguments.of("parent is a file", manifest(file("a"), file("a/b")), "parent 'a' is a file"),
        Arguments.of("parent is a symlink", manifest("{\"path\":\"l\",\"type\":\"symlink\",\"target\":\"d\"}",
            "{\"path\":\"d\",\"type\":\"dir\"}", file("l/x")), "parent 'l' is a symlink"),
        Arguments.of("symlink absolute", manifest("{\"path\":\"l\",\"type\":\"symlink\",\"target\":\"/etc\"}"),
            "leaves the tree"),
        Arguments.of("symlink dot-dot", manifest("{\"path\":\"d\",\"type\":\"dir\"}",
            "{\"path\":\"d/l\",\"type\":\"symlink\",\"target\":\"../../x\"}"), "leaves the tree"),
        Arguments.of("symlink through symlink", manifest("{\"path\":\"here\",\"type\":\"symlink\",\"target\":\".\"}",
            "{\"path\":\"d\",\"type\":\"dir\"}", "{\"path\":\"d/e\",\"type\":\"dir\"}",
            "{\"path\":\"d/e/l\",\"type\":\"symlink\",\"target\":\"../../here/../x\"}"), "leaves the tree"),
        Arguments.of("unknown type", manifest("{\"path\":\"p\",\"type\":\"fifo\"}"), "unknown type 'fifo'"),
        Arguments.of("unknown field", manifest("{\"path\":\"p\",\"type\":\"dir\",\"mode\":511}"),
            "unknown field 'mode'"),
        Arguments.of("foreign field", manifest("{\"path\":\"p\",\"type\":\"dir\",\"size\":1}"),
            "does not belong to a dir"),
        Arguments.of("unknown top field", "{\"version\":1,\"entries\":[],\"extra\":1}", "unknown top-level field"),
        Arguments.of("negative size", manifest(file("a").replace("\"size\":1", "\"size\":-1")), "negative size"),
        Arguments.of("fractional size", manifest(file("a").replace("\"size\":1", "\"size\":1.5")), "integer"),
        Arguments.of("huge size", manifest(file("a").replace("\"size\":1", "\"size\":99999999999999999999")),
            "64 bits"),
        Arguments.of("missing size", manifest(file("a").replace("\"size\":1,", "")), "needs field 'size'"),
        Arguments.of("missing path", manifest("{\"type\":\"dir\"}"), "missing field 'path'"),
        Arguments.of("missing type", manifest("{\"path\":\"x\"}"), "missing field 'type'"),
        Arguments.of("bad id", manifest(file("a").replace(ID, "sha256:XYZ")), "bad id"),
        Arguments.of("md5 id", manifest(file("a").replace(ID, "md5:" + "ab".repeat(16))), "bad id"),
        Arguments.of("string size", manifest(file("a").replace("\"size\":1", "\"size\":\"1\"")), "integer"),
        Arguments.of("unsupported version", "{\"version\":2,\"entries\":[]}", "unsupported manifest version 2"),
        Arguments.of("missing version", "{\"entries\":[]}", "missing field 'version'"),
        Arguments.of("missing entries", "{\"version\":1}", "missing field 'entries'"),
        Arguments.of("trailing garbage", manifest(file("a")) + "{}", "trailing"),
        Arguments.of("duplicate key", "{\"version\":1,\"version\":1,\"entries\":[]}", "not valid JSON"),
        Arguments.of("not json", "version=1", "not valid JSON"),
        Arguments.of("array root", "[]", "must be a JSON object"),
        Arguments.of("truncated", manifest(file("a")).substring(0, 40), "not valid JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void hostileManifestIsRejectedAtParse(String name, String json, String fragment) {
    PeerException e = assertThrows(PeerException.class,
        () -> Manifest.parse(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals(ErrorCode.BAD_MANIFEST, e.code());
    assertTrue(e.getMessage().contains(fragment), "message should say '" + fragment + "': " + e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void hostileManifestIsRejectedAtMaterializeWithoutWriting(String name, String json, String fragment)
      throws Exception {
    ContentId dir = putThroughPieces(store, json.getBytes(StandardCharsets.UTF_8), ContentKind.DIRECTORY);
    Path jobs = tmp.resolve("jobs-" + dir.hex().substring(0, 12));
    Path dest = jobs.resolve("out");
    PeerException e = assertThrows(PeerException.class, () -> store.materialize(dir, dest, false));
    assertEquals(ErrorCode.BAD_MANIFEST, e.code(), e.getMessage());
    assertFalse(Files.exists(dest));
    if (Files.exists(jobs)) {
      try (Stream<Path> s = Files.list(jobs)) {
        assertEquals(List.of(), s.toList());
      }
    }
  }

  @Test
  void validTreesPass() {
    ContentId id = ContentId.parse(ID);
    Manifest m = new Manifest(List.of(
        new FileEntry("z", 3, true, id),
        new DirEntry("d"),
        new DirEntry("d/e"),
        new SymlinkEntry("d/e/up", "../../z"),
        new SymlinkEntry("d/self", "./e/"),
        new SymlinkEntry("dangling", "d/nothing-here"),
        new FileEntry("d/e/ünïcødé 文件", 4, false, id)));
    assertEquals(List.of("d", "d/e", "d/e/up", "d/e/ünïcødé 文件", "d/self", "dangling", "z"),
        m.entries().stream().map(ManifestEntry::path).toList());
    assertEquals(7, m.treeBytes());
    assertEquals(1, m.fileIds().size());
    assertEquals(m, Manifest.parse(m.toBytes()));
    assertEquals(m.id(), Manifest.parse(m.toBytes()).id());
  }

  @Test
  void sortsByUtf8BytesNotUtf16() {
    ContentId id = ContentId.parse(ID);
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 ...) in UTF-8, after it in UTF-16.
    Manifest m = new Manifest(List.of(new FileEntry("\uD83D\uDE00", 1, false, id),
        new FileEntry("\uFF5E", 1, false, id)));
    assertEquals("\uFF5E", m.entries().get(0).path());
  }
}
