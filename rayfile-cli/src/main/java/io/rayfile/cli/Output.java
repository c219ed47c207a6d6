package io.rayfile.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.StoreUsage;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** How commands print: one JSON object on stdout with {@code --json}, short human lines otherwise. */
final class Output {
  static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Output() {}

  static void json(Object value) {
    try {
      System.out.println(JSON.writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot print JSON", e);
    }
  }

  /** Prints an error (as {@code {"error":{...}}} with --json) and returns the exit code. */
  static int failure(Exception ex, boolean json) {
    String code = ex instanceof PeerException pe ? pe.code().name()
        : ex instanceof io.rayfile.api.RayFileException re ? re.code().name() : "INTERNAL";
    String message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
    if (json) {
      json(Map.of("error", Map.of("code", code, "message", message)));
    }
    PrintStream err = System.err;
    err.println("rayfile: " + code + ": " + message);
    if (!(ex instanceof PeerException) && !(ex instanceof io.rayfile.api.RayFileException)) {
      ex.printStackTrace(err);
    }
    return Main.exitCodeFor(ex);
  }

  static Map<String, Object> content(ContentInfo c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.displayId());
    m.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
    m.put("length", c.length());
    m.put("piece_length", c.layout().pieceLength());
    m.put("pieces", c.layout().pieceCount());
    m.put("finished_pieces", c.finishedPieces());
    m.put("state", c.state().name().toLowerCase(java.util.Locale.ROOT));
    m.put("pin_count", c.pinCount());
    m.put("last_access", c.lastAccess().toString());
    m.put("created", c.created().toString());
    m.put("tree_bytes", c.treeBytes());
    m.put("entries", c.entryCount());
    return m;
  }

  static Map<String, Object> usage(StoreUsage u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("used_bytes", u.usedBytes());
    m.put("pinned_bytes", u.pinnedBytes());
    m.put("quota_bytes", u.quotaBytes());
    m.put("contents", u.contentCount());
    return m;
  }

  static String line(ContentInfo c) {
    String size = c.kind() == io.rayfile.d7y.peer.storage.ContentKind.DIRECTORY
        ? ByteSize.format(c.treeBytes()) + " in " + c.entryCount() + " entries"
        : ByteSize.format(c.length());
    String state = c.complete() ? "complete"
        : "partial " + c.finishedPieces() + "/" + c.layout().pieceCount();
    return String.format("%s  %-9s %-24s %-16s pins=%d", c.displayId(), c.kind().name().toLowerCase(java.util.Locale.ROOT),
        size, state, c.pinCount());
  }
}
