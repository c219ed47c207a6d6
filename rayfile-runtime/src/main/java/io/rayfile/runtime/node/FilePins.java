package io.rayfile.runtime.node;

import io.rayfile.d7y.peer.NodeContents;
import io.rayfile.d7y.peer.storage.ContentId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pins a node holds on behalf of live file objects: one store pin (of the whole tree) per file object this node
 * has a copy of, dropped when the file's owner frees it or dies. Two file objects with the same bytes pin the same
 * content twice, so freeing one leaves the other's copy pinned. Thread-safe.
 */
final class FilePins {
  private static final Logger log = LoggerFactory.getLogger(FilePins.class);

  private record Entry(ContentId content, long owner) {}

  private final NodeContents contents;
  private final Map<Long, Entry> pinned = new HashMap<>();

  FilePins(NodeContents contents) {
    this.contents = contents;
  }

  /** Pins {@code content} for file {@code fileId} unless this node already does. */
  synchronized void pin(long fileId, ContentId content, long owner) {
    if (pinned.containsKey(fileId)) {
      return;
    }
    contents.pinTree(content);
    pinned.put(fileId, new Entry(content, owner));
  }

  /** The file was freed: drop its pin. Unknown files are ignored (this node never had a copy). */
  synchronized void unpin(long fileId) {
    Entry e = pinned.remove(fileId);
    if (e != null) {
      quietlyUnpin(e);
    }
  }

  /** The owner died (fate-sharing): drop the pins of every file it owned. */
  synchronized int ownerGone(long owner) {
    List<Long> gone = new ArrayList<>();
    pinned.forEach((file, e) -> {
      if (e.owner() == owner) {
        gone.add(file);
      }
    });
    gone.forEach(this::unpin);
    return gone.size();
  }

  synchronized int size() {
    return pinned.size();
  }

  private void quietlyUnpin(Entry e) {
    try {
      contents.unpinTree(e.content());
    } catch (RuntimeException ex) {
      log.warn("could not unpin {}: {}", e.content(), ex.toString());
    }
  }
}
