package io.rayfile.d7y.peer.storage;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata in one persisted Chronicle Map ({@code <meta>/contents.cm3}): key = the 32 digest bytes, value = a
 * {@link ContentRecord} in its versioned binary form. The map is memory-mapped, so a put is visible in the file as
 * soon as it returns and survives the process being killed (not a power loss: that needs the OS to flush).
 *
 * <p>{@link #close()} leaves a {@code clean} marker next to the map. Without it (the process was killed), the map is
 * opened with Chronicle's recovery, because a process killed while holding a segment lock leaves that lock taken in
 * the file; the owning store holds an exclusive lock on its data directory, so no other process can be using the
 * map while it is recovered.
 */
final class ChronicleMetadataStore implements MetadataStore {
  private static final Logger log = LoggerFactory.getLogger(ChronicleMetadataStore.class);
  static final String FILE_NAME = "contents.cm3";
  static final String CLEAN_MARKER = "clean";
  /** Most records are a single piece (~60 bytes); a 500-piece record is ~2.1 KiB. */
  private static final double AVERAGE_VALUE_SIZE = 160;

  private final ChronicleMap<byte[], byte[]> map;
  private final Path file;
  private final Path cleanMarker;

  private ChronicleMetadataStore(ChronicleMap<byte[], byte[]> map, Path file, Path cleanMarker) {
    this.map = map;
    this.file = file;
    this.cleanMarker = cleanMarker;
  }

  static ChronicleMetadataStore open(Path metaDir, int expectedContents) {
    Path file = metaDir.resolve(FILE_NAME);
    Path clean = metaDir.resolve(CLEAN_MARKER);
    int entries = Math.max(expectedContents, 1024);
    int segments = Integer.highestOneBit(Math.max(1, entries / 256));
    try {
      Files.createDirectories(metaDir);
      var builder = ChronicleMap.of(byte[].class, byte[].class)
          .name("rayfile-contents")
          .constantKeySizeBySample(new byte[32])
          .averageValueSize(AVERAGE_VALUE_SIZE)
          .entries(entries)
          // Few, large segments: an entry must fit in one segment tier, and a record of MAX_PIECES pieces is
          // ~17 KiB, ~100x the average. ~256 entries per segment leaves room for it.
          .actualSegments(segments)
          .maxBloatFactor(20);
      ChronicleMap<byte[], byte[]> map;
      boolean wasClean = Files.deleteIfExists(clean);
      if (Files.exists(file) && Files.size(file) > 0 && wasClean) {
        map = builder.createPersistedTo(file.toFile());
      } else if (Files.exists(file) && Files.size(file) > 0) {
        log.info("metadata {}: the store was not closed cleanly; recovering the map", file);
        map = builder.recoverPersistedTo(file.toFile(), true,
            corruption -> log.warn("metadata {}: recovered from corruption: {}", file, corruption.message()));
      } else {
        Files.deleteIfExists(file); // an empty file is a crash during creation
        map = builder.createPersistedTo(file.toFile());
      }
      return new ChronicleMetadataStore(map, file, clean);
    } catch (IOException | RuntimeException e) {
      throw new PeerException(ErrorCode.IO_ERROR, "cannot open the store metadata " + file + ": " + e.getMessage()
          + "; if the file is damaged, move it away: the store then drops its contents and starts empty", e);
    }
  }

  @Override
  public Optional<ContentRecord> get(ContentId id) {
    byte[] value = map.get(key(id));
    return value == null ? Optional.empty() : Optional.of(ContentRecord.decode(value));
  }

  @Override
  public void put(ContentId id, ContentRecord record) {
    try {
      map.put(key(id), record.encode());
    } catch (RuntimeException e) {
      throw new PeerException(ErrorCode.IO_ERROR, "cannot write the metadata of " + id + " to " + file + ": " + e, e);
    }
  }

  @Override
  public void remove(ContentId id) {
    map.remove(key(id));
  }

  @Override
  public Map<ContentId, ContentRecord> loadAll(Map<ContentId, String> corrupt) {
    Map<ContentId, ContentRecord> all = new HashMap<>();
    map.forEach((k, v) -> {
      ContentId id = ContentId.ofDigest(k);
      try {
        all.put(id, ContentRecord.decode(v));
      } catch (IllegalArgumentException e) {
        corrupt.put(id, e.getMessage());
      }
    });
    return all;
  }

  @Override
  public void close() {
    map.close();
    try {
      Files.write(cleanMarker, new byte[0]);
    } catch (IOException e) {
      log.warn("metadata {}: cannot write the clean-shutdown marker ({}); the next open will run recovery", file,
          e.toString());
    }
  }

  private static byte[] key(ContentId id) {
    return HexFormat.of().parseHex(id.hex());
  }
}
