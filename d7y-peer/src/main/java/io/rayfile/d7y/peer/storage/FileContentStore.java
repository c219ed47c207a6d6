package io.rayfile.d7y.peer.storage;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ManifestEntry.DirEntry;
import io.rayfile.d7y.peer.storage.ManifestEntry.FileEntry;
import io.rayfile.d7y.peer.storage.ManifestEntry.SymlinkEntry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link ContentStore}: one preallocated data file per content under
 * {@code <data>/content/<first 2 hex>/<hex>}, metadata in a {@link MetadataStore} under {@code <data>/meta/},
 * scratch files under {@code <data>/tmp/}.
 *
 * <p><b>Crash safety</b> (process killed at any point): data reaches its final name before its record is written,
 * and a piece's bytes are written before its bit is set; so on {@link #open} a record without a data file is
 * dropped, a data file without a record (an import or begin cut short) is deleted, and {@code tmp/} is emptied.
 * Writes are not fsync'ed: after a power loss, the CRCs in the metadata let {@link #verify} find damaged pieces.
 *
 * <p><b>Locking</b>: each content is guarded by one of a fixed set of striped locks (metadata updates of a
 * content are serialized; different contents proceed in parallel). Records are immutable and published through a
 * concurrent map, so {@link #stat}, {@link #readPiece} and friends never block. Long work (hashing, copying,
 * verifying) happens outside the locks; contents being read or written hold a <i>lease</i> that keeps eviction
 * away from them. No thread ever holds two content locks; eviction only try-locks.
 *
 * <p><b>Modes</b>: a finished data file is 0444, because materialized files and files imported with {@code move}
 * are hard links sharing its inode (and its mode). See {@link #materialize} for executable files.
 *
 * <p><b>Access time</b>: {@code lastAccess} moves on import, begin, piece commit, materialize and piece reads; a
 * piece read only persists it when it moved by at least a second, so serving many pieces costs no metadata write
 * per piece.
 *
 * <p><b>Directories</b>: {@link #pin}/{@link #unpin} of a complete directory also pin/unpin every distinct file its
 * manifest names that this store holds; {@link #delete} removes only the manifest content itself (the files stay,
 * with their own pins; the runtime unpins a directory before deleting it).
 */
public final class FileContentStore implements ContentStore {
  private static final Logger log = LoggerFactory.getLogger(FileContentStore.class);
  /**
   * At most this many pieces per content: 256 GiB at the default (64 MiB) pieces of big contents. It bounds a
   * metadata record to ~17 KiB, which a Chronicle Map entry must fit in (its chunks per entry are limited).
   */
  public static final int MAX_PIECES = 1 << 12;
  private static final int STRIPES = 256;
  private static final long TOUCH_GRANULARITY_MILLIS = 1000;
  private static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--r--r--");
  private static final Set<PosixFilePermission> READ_EXEC = PosixFilePermissions.fromString("r-xr-xr-x");
  private static final Set<PosixFilePermission> WRITABLE = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> WRITABLE_EXEC = PosixFilePermissions.fromString("rwxr-xr-x");

  private final StoreSettings settings;
  private final EvictionStrategy eviction;
  private final Path contentDir;
  private final Path tmpDir;
  private final MetadataStore meta;
  private final FileChannel lockChannel;
  private final FileLock dirLock;
  private final ConcurrentHashMap<ContentId, Entry> entries = new ConcurrentHashMap<>();
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final AtomicLong usedBytes = new AtomicLong();
  private final DirectWrites directWrites;
  /**
   * Pieces go past the page cache ({@link StoreSettings#directIo}); false from the start when not asked for, and
   * from the first direct write the file system refuses (EINVAL) on.
   */
  private volatile boolean directIo;
  private final Object space = new Object();
  private long reservedBytes; // guarded by space
  private volatile boolean closed;

  /** In-memory companion of one content's record. Replaced (not reused) when a content is deleted and re-made. */
  private static final class Entry {
    volatile ContentRecord record;
    final AtomicInteger leases = new AtomicInteger();
    final AtomicBoolean finalizing = new AtomicBoolean();
    final BitSet writing = new BitSet(); // guarded by the content's stripe lock
    private InOrderHash hash; // created by the first piece written, so stored contents carry no digest state
    /**
     * Its data file was written by an import, through the page cache: a direct-I/O store still serves it with
     * sendfile, from the cache the import filled, instead of reading it from the disk. In memory only: after a
     * restart the cache is cold anyway.
     */
    volatile boolean imported;

    Entry(ContentRecord record) {
      this.record = record;
    }

    synchronized InOrderHash hash(boolean directIo) {
      if (hash == null) {
        hash = new InOrderHash(directIo);
      }
      return hash;
    }

    synchronized InOrderHash hashIfStarted() {
      return hash;
    }

    boolean finished(int piece) {
      return record.isFinished(piece);
    }
  }

  /**
   * Opens a data file for direct writes, or returns null when its file system refuses O_DIRECT at open. A seam so
   * tests can hand out channels that refuse the writes themselves, as file systems do that accept the open.
   */
  @FunctionalInterface
  interface DirectWrites {
    FileChannel open(Path file) throws IOException;
  }

  private FileContentStore(StoreSettings settings, EvictionStrategy eviction, MetadataStore meta,
      FileChannel lockChannel, FileLock dirLock, DirectWrites directWrites) {
    this.settings = settings;
    this.directWrites = directWrites;
    this.directIo = settings.directIo();
    this.eviction = eviction;
    this.contentDir = settings.dataDir().resolve("content");
    this.tmpDir = settings.dataDir().resolve("tmp");
    this.meta = meta;
    this.lockChannel = lockChannel;
    this.dirLock = dirLock;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** Opens (creating if needed) the store in {@code settings.dataDir()}, with LRU eviction. */
  public static FileContentStore open(StoreSettings settings) {
    return open(settings, new LruEvictionStrategy());
  }

  /**
   * Opens (creating if needed) the store in {@code settings.dataDir()}. Only one process may have a data directory
   * open; a second one fails with IO_ERROR.
   */
  public static FileContentStore open(StoreSettings settings, EvictionStrategy eviction) {
    return open(settings, eviction, DirectIo::openWrite);
  }

  static FileContentStore open(StoreSettings settings, EvictionStrategy eviction, DirectWrites directWrites) {
    Path data = settings.dataDir();
    FileChannel lockChannel = null;
    FileLock lock = null;
    MetadataStore meta = null;
    try {
      Files.createDirectories(data);
      lockChannel = FileChannel.open(data.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new PeerException(ErrorCode.IO_ERROR, "the store data directory " + data
            + " is already open (by another daemon, or not closed in this one); stop it or use another directory");
      }
      Files.createDirectories(data.resolve("content"));
      Path tmp = data.resolve("tmp");
      if (Files.exists(tmp)) {
        deleteTree(tmp);
      }
      Files.createDirectories(tmp);
      meta = ChronicleMetadataStore.open(data.resolve("meta"), settings.expectedContents());
      FileContentStore store = new FileContentStore(settings, eviction, meta, lockChannel, lock, directWrites);
      store.recover();
      return store;
    } catch (IOException | RuntimeException e) {
      if (meta != null) {
        meta.close();
      }
      closeQuietly(lock, lockChannel);
      if (e instanceof PeerException p) {
        throw p;
      }
      throw new PeerException(ErrorCode.IO_ERROR, "cannot open the content store in " + data + ": " + e, e);
    }
  }

  /** Reconciles metadata with the data files after an unclean stop. */
  private void recover() throws IOException {
    Map<ContentId, String> corrupt = new HashMap<>();
    Map<ContentId, ContentRecord> records = meta.loadAll(corrupt);
    corrupt.forEach((id, why) -> {
      log.warn("store {}: dropping unreadable metadata of {}: {}", settings.dataDir(), id, why);
      meta.remove(id);
    });
    for (var e : records.entrySet()) {
      ContentId id = e.getKey();
      ContentRecord rec = e.getValue();
      Path file = dataFile(id);
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        log.warn("store {}: {} has metadata but no data file; dropping it", settings.dataDir(), id);
        meta.remove(id);
        continue;
      }
      long size = Files.size(file);
      if (size != rec.layout().length()) {
        log.warn("store {}: data file of {} has {} bytes, its metadata says {}; dropping it", settings.dataDir(), id,
            size, rec.layout().length());
        meta.remove(id);
        Files.deleteIfExists(file);
        continue;
      }
      entries.put(id, new Entry(rec));
      usedBytes.addAndGet(rec.layout().length());
    }
    try (var shards = Files.newDirectoryStream(contentDir)) {
      for (Path shard : shards) {
        if (!Files.isDirectory(shard, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(shard);
          continue;
        }
        try (var files = Files.newDirectoryStream(shard)) {
          for (Path f : files) {
            if (!isKnownDataFile(shard, f)) {
              log.info("store {}: deleting orphan data file {} (left by an interrupted import or download)",
                  settings.dataDir(), f);
              deleteTree(f);
            }
          }
        }
      }
    }
  }

  private boolean isKnownDataFile(Path shard, Path f) {
    String name = f.getFileName().toString();
    try {
      ContentId id = new ContentId(name);
      return id.shard().equals(shard.getFileName().toString()) && entries.containsKey(id);
    } catch (PeerException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- import

  @Override
  public ImportResult importFile(Path file, boolean move, boolean pin) {
    checkOpen();
    Path real = realFile(file);
    Installed r = importOne(real, move);
    try {
      ContentInfo info = pin ? pin(r.id) : r.entry.record.toInfo(r.id);
      return new ImportResult(info, r.storedBytes);
    } finally {
      r.entry.leases.decrementAndGet();
    }
  }

  /** A content that is in the store, with a lease the caller must release. */
  private record Installed(ContentId id, Entry entry, long storedBytes) {}

  private Path realFile(Path file) {
    try {
      Path real = file.toRealPath();
      if (Files.isDirectory(real)) {
        throw new PeerException(ErrorCode.INVALID_ARGUMENT, file + " is a directory; import it as a directory");
      }
      if (!Files.isRegularFile(real)) {
        throw new PeerException(ErrorCode.INVALID_ARGUMENT,
            file + " is not a regular file (a device, socket or pipe cannot be imported)");
      }
      return real;
    } catch (NoSuchFileException e) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "cannot import " + file + ": it does not exist", e);
    } catch (IOException e) {
      throw StorageErrors.io(e, "reading " + file + " for import");
    }
  }

  /** Hashes and stores one regular file; returns holding a lease on the content. */
  private Installed importOne(Path source, boolean move) {
    long length;
    try {
      length = Files.size(source);
    } catch (IOException e) {
      throw StorageErrors.io(e, "reading the size of " + source);
    }
    PieceLayout layout = PieceLayout.forLength(length);
    checkPieces(layout, source.toString());
    reserve(length, source.toString());
    Path tmp = tmpDir.resolve("import-" + randomSuffix());
    try {
      ContentHasher.Result hashed = null;
      boolean linked = false;
      if (move) {
        try {
          Files.createLink(tmp, source);
          linked = true;
        } catch (IOException e) {
          if (!StorageErrors.isLinkRefused(e)) {
            throw e;
          }
          log.debug("cannot hard-link {} into the store ({}); copying it", source, e.getMessage());
        }
      }
      if (linked) {
        // Hash the linked inode itself: what we hash is exactly what we keep.
        try (FileChannel in = FileChannel.open(tmp, StandardOpenOption.READ)) {
          hashed = ContentHasher.hash(in, length, layout.pieceLength(), null);
        }
      } else {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
            FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          hashed = ContentHasher.hash(in, length, layout.pieceLength(), out);
        }
      }
      return install(hashed.id(), tmp, ContentKind.FILE, layout, hashed.crcs(), length, 0, linked ? 0 : length);
    } catch (ContentHasher.ConcurrentModificationIOException e) {
      throw new PeerException(ErrorCode.IO_ERROR,
          source + " " + e.getMessage() + "; files must not change while they are imported", e);
    } catch (IOException e) {
      throw StorageErrors.io(e, "importing " + source + " (" + length + " bytes) into the store at "
          + settings.dataDir());
    } finally {
      release(length);
      deleteQuietly(tmp);
    }
  }

  /**
   * Puts a hashed temp file in place as a complete content (or drops it when the content is already complete) and
   * returns with a lease taken.
   */
  private Installed install(ContentId id, Path tmp, ContentKind kind, PieceLayout layout, int[] crcs,
      long treeBytes, int entryCount, long newBytes) throws IOException {
    ReentrantLock lock = lockFor(id);
    lock.lock();
    try {
      long now = nowMillis();
      Entry e = entries.get(id);
      if (e != null && e.record.complete()) {
        e.leases.incrementAndGet();
        touchLocked(id, e, now, true);
        return new Installed(id, e, 0);
      }
      Files.setPosixFilePermissions(tmp, READ_ONLY);
      Path target = dataFile(id);
      Files.createDirectories(target.getParent());
      // Replacing a partial content's data file: its writers keep writing to the old inode, and their commits
      // find every piece already finished.
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      ContentRecord rec = ContentRecord.complete(kind, layout, crcs, now, treeBytes, entryCount);
      if (e != null) {
        rec = new ContentRecord(kind, layout, ContentState.COMPLETE, rec.finished(), crcs, e.record.pinCount(),
            now, e.record.createdMillis(), treeBytes, entryCount);
      }
      meta.put(id, rec);
      if (e == null) {
        e = new Entry(rec);
        entries.put(id, e);
        usedBytes.addAndGet(layout.length());
      } else {
        e.record = rec;
      }
      e.imported = true;
      e.leases.incrementAndGet();
      return new Installed(id, e, newBytes);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ImportResult importDirectory(Path dir, boolean move, boolean pin) {
    checkOpen();
    Path root;
    try {
      root = dir.toRealPath();
    } catch (NoSuchFileException e) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "cannot import " + dir + ": it does not exist", e);
    } catch (IOException e) {
      throw StorageErrors.io(e, "reading " + dir + " for import");
    }
    if (!Files.isDirectory(root)) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, dir + " is not a directory");
    }
    Map<String, Path> files = new LinkedHashMap<>();
    Map<String, Boolean> executable = new HashMap<>();
    List<ManifestEntry> others = new ArrayList<>();
    walk(root, files, executable, others);

    // Check the tree's shape (paths, symlinks) before importing a single byte.
    ContentId placeholder = new ContentId("0".repeat(64));
    List<ManifestEntry> shape = new ArrayList<>(others);
    files.forEach((rel, p) -> shape.add(new FileEntry(rel, 0, false, placeholder)));
    new Manifest(shape);

    List<Entry> leased = new ArrayList<>();
    try {
      long stored = 0;
      List<ManifestEntry> all = new ArrayList<>(others);
      for (var f : files.entrySet()) {
        Installed r = importOne(f.getValue(), move);
        leased.add(r.entry);
        stored += r.storedBytes;
        all.add(new FileEntry(f.getKey(), r.entry.record.layout().length(), executable.get(f.getKey()), r.id));
      }
      Manifest manifest = new Manifest(all);
      Installed m = importBytes(manifest.toBytes(), ContentKind.DIRECTORY, manifest.treeBytes(),
          manifest.entries().size(), dir.toString());
      leased.add(m.entry);
      stored += m.storedBytes;
      ContentInfo info = pin ? pin(m.id) : m.entry.record.toInfo(m.id);
      return new ImportResult(info, stored);
    } finally {
      leased.forEach(e -> e.leases.decrementAndGet());
    }
  }

  private void walk(Path root, Map<String, Path> files, Map<String, Boolean> executable,
      List<ManifestEntry> others) {
    try {
      Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              if (!d.equals(root)) {
                others.add(new DirEntry(relative(root, d)));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
              String rel = relative(root, f);
              if (attrs.isSymbolicLink()) {
                String target = Files.readSymbolicLink(f).toString();
                others.add(new SymlinkEntry(rel, target));
              } else if (attrs.isRegularFile()) {
                files.put(rel, f);
                executable.put(rel, Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS)
                    .contains(PosixFilePermission.OWNER_EXECUTE));
              } else {
                throw new PeerException(ErrorCode.INVALID_ARGUMENT, "cannot import " + f
                    + ": it is not a regular file, directory or symlink (a device, socket or pipe)");
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
              throw e;
            }
          });
    } catch (IOException e) {
      throw StorageErrors.io(e, "walking " + root + " for import");
    }
  }

  private static String relative(Path root, Path p) {
    List<String> parts = new ArrayList<>();
    for (Path part : root.relativize(p)) {
      parts.add(part.toString());
    }
    return String.join("/", parts);
  }

  /** Stores bytes held in memory (a manifest) as a complete content. */
  private Installed importBytes(byte[] bytes, ContentKind kind, long treeBytes, int entryCount, String what) {
    PieceLayout layout = PieceLayout.forLength(bytes.length);
    reserve(bytes.length, what);
    Path tmp = tmpDir.resolve("bytes-" + randomSuffix());
    try {
      Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      ContentHasher.Result hashed;
      try (FileChannel in = FileChannel.open(tmp, StandardOpenOption.READ)) {
        hashed = ContentHasher.hash(in, bytes.length, layout.pieceLength(), null);
      }
      return install(hashed.id(), tmp, kind, layout, hashed.crcs(), treeBytes, entryCount, bytes.length);
    } catch (IOException e) {
      throw StorageErrors.io(e, "storing the manifest of " + what);
    } finally {
      release(bytes.length);
      deleteQuietly(tmp);
    }
  }

  // ---------------------------------------------------------------- queries

  @Override
  public Optional<ContentInfo> stat(ContentId id) {
    Entry e = entries.get(id);
    return e == null ? Optional.empty() : Optional.of(e.record.toInfo(id));
  }

  @Override
  public BitSet finishedPieces(ContentId id) {
    Entry e = entries.get(id);
    return e == null ? new BitSet() : e.record.finished();
  }

  @Override
  public List<ContentInfo> list() {
    return entries.entrySet().stream()
        .map(e -> e.getValue().record.toInfo(e.getKey()))
        .sorted(Comparator.comparing(ContentInfo::id))
        .toList();
  }

  @Override
  public StoreUsage usage() {
    long pinned = 0;
    int count = 0;
    for (Entry e : entries.values()) {
      ContentRecord r = e.record;
      count++;
      if (r.pinCount() > 0) {
        pinned += r.layout().length();
      }
    }
    return new StoreUsage(usedBytes.get(), pinned, settings.quotaBytes(), count);
  }

  /** The settings this store was opened with. */
  public StoreSettings settings() {
    return settings;
  }

  // ---------------------------------------------------------------- verify

  /**
   * {@inheritDoc}
   *
   * <p>When damage is found the content is demoted so it is never served as good again: its bad pieces are marked
   * missing and it becomes {@link ContentState#PARTIAL} (when the SHA-256 fails but every CRC matches, no piece can
   * be blamed, so all are marked missing). A download can then fetch the missing pieces again.
   */
  @Override
  public VerifyReport verify(ContentId id) {
    checkOpen();
    Entry e = lease(id);
    try {
      ContentRecord rec = e.record;
      PieceLayout layout = rec.layout();
      List<Integer> bad = new ArrayList<>();
      // External (URL) contents are keyed by their task id, not by their digest: only CRCs apply to them.
      boolean checkSha = rec.complete() && rec.kind() != ContentKind.EXTERNAL;
      boolean shaOk = false;
      ByteBuffer buf = BufferPool.HASHING.take();
      try (FileChannel ch = FileChannel.open(dataFile(id), StandardOpenOption.READ)) {
        MessageDigest sha = ContentHasher.sha256();
        CRC32C crc = new CRC32C();
        for (int p = 0; p < layout.pieceCount(); p++) {
          if (!rec.isFinished(p)) {
            continue;
          }
          crc.reset();
          long start = layout.offset(p);
          boolean whole = ContentHasher.readRange(ch, buf, start, start + layout.size(p), b -> {
            crc.update(b.duplicate());
            if (checkSha) {
              sha.update(b);
            }
          });
          if (!whole || (int) crc.getValue() != rec.crc(p)) { // a truncated file counts as damaged
            bad.add(p);
          }
        }
        if (checkSha) {
          shaOk = ContentId.ofDigest(sha.digest()).equals(id);
        }
      } catch (NoSuchFileException missing) {
        bad.clear();
        rec.finished().stream().forEach(bad::add);
      } catch (IOException ex) {
        throw StorageErrors.io(ex, "verifying " + id);
      } finally {
        BufferPool.HASHING.give(buf);
      }
      int pieces = layout.pieceCount();
      if (bad.isEmpty() && (shaOk || !checkSha)) {
        String detail = checkSha
            ? "all " + pieces + " pieces match their CRC32C and the SHA-256 matches the id"
            : rec.kind() == ContentKind.EXTERNAL && rec.complete()
                ? "all " + pieces + " pieces match their CRC32C (an external content has no id digest to check)"
                : "all " + rec.finishedCount() + " finished pieces (of " + pieces + ") match their CRC32C; the "
                    + "SHA-256 is checked once the content is complete";
        return new VerifyReport(id, bad, true, detail);
      }
      List<Integer> drop = bad.isEmpty() ? allPieces(pieces) : bad;
      demote(id, e, rec, drop);
      String detail = (bad.isEmpty() ? "every piece matches its CRC32C" : "piece" + (bad.size() == 1 ? " " : "s ")
          + bad + " of " + pieces + " no longer match" + (bad.size() == 1 ? "es" : "") + " its CRC32C")
          + (checkSha ? (shaOk ? ", the SHA-256 matches" : ", the SHA-256 does not match the id") : "")
          + "; " + (bad.isEmpty() ? "all pieces were" : "they were") + " marked missing and the content is partial "
          + "again, so it is never served as good; download it again to repair it";
      log.warn("store {}: verify {}: {}", settings.dataDir(), id, detail);
      return new VerifyReport(id, bad, shaOk, detail);
    } finally {
      e.leases.decrementAndGet();
    }
  }

  private static List<Integer> allPieces(int n) {
    List<Integer> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      all.add(i);
    }
    return all;
  }

  private void demote(ContentId id, Entry e, ContentRecord seen, List<Integer> drop) {
    ReentrantLock lock = lockFor(id);
    lock.lock();
    try {
      if (entries.get(id) != e) {
        return;
      }
      ContentRecord rec = e.record.withoutPieces(drop);
      meta.put(id, rec);
      e.record = rec;
      InOrderHash hash = e.hashIfStarted();
      if (hash != null) {
        hash.reset(); // dropped pieces may already be in the digest; they will be written again
      }
      try {
        Files.setPosixFilePermissions(dataFile(id), WRITABLE); // pieces get rewritten in place
      } catch (IOException ex) {
        log.warn("cannot make {} writable again: {}", dataFile(id), ex.toString());
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- materialize

  /**
   * {@inheritDoc}
   *
   * <p>Executable files: a hard link shares its inode's mode, and the store keeps every content 0444 (a content is
   * named by its bytes, and the same bytes may be executable in one tree and not in another). So an executable
   * entry is materialized as a private copy with mode 0555 (0755 when writable), while plain entries are hard
   * links. Executables are few and small in model trees; the copy keeps the store's inodes untouched.
   *
   * <p>Directories are assembled in {@code .<name>.rayfile-tmp-<random>} next to {@code dest} and renamed into place;
   * on any failure the temp directory is deleted and {@code dest} is not created. Every check (manifest rules,
   * every file present and complete with the size the manifest claims) runs before anything is written.
   */
  @Override
  public Path materialize(ContentId id, Path dest, boolean writable) {
    checkOpen();
    if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      throw new PeerException(ErrorCode.ALREADY_EXISTS, dest + " already exists; materialize into a new path");
    }
    Entry e = lease(id);
    List<Entry> leased = new ArrayList<>();
    leased.add(e);
    Map<ContentId, Entry> touched = new HashMap<>();
    try {
      ContentRecord rec = e.record;
      if (!rec.complete()) {
        throw new PeerException(ErrorCode.INCOMPLETE, id + " is not complete here yet (" + rec.finishedCount()
            + " of " + rec.layout().pieceCount() + " pieces); download it first");
      }
      Path parent = dest.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      if (rec.kind() != ContentKind.DIRECTORY) { // FILE or EXTERNAL: plain bytes
        materializeFile(dataFile(id), dest, writable, false);
      } else {
        Manifest manifest = Manifest.parse(readManifestBytes(id, rec));
        Map<ContentId, Entry> files = new HashMap<>();
        for (ManifestEntry me : manifest.entries()) {
          if (me instanceof FileEntry f) {
            Entry fe = files.get(f.id());
            if (fe == null) {
              fe = entries.get(f.id());
              if (fe == null) {
                throw new PeerException(ErrorCode.NOT_FOUND, "directory " + id + ": file '" + f.path() + "' ("
                    + f.id() + ") is not in this store; download the directory again");
              }
              fe.leases.incrementAndGet();
              leased.add(fe);
              if (entries.get(f.id()) != fe) {
                throw new PeerException(ErrorCode.NOT_FOUND, "directory " + id + ": file '" + f.path()
                    + "' (" + f.id() + ") was just deleted from this store; try again");
              }
              files.put(f.id(), fe);
            }
            ContentRecord fr = fe.record;
            if (!fr.complete()) {
              throw new PeerException(ErrorCode.INCOMPLETE, "directory " + id + ": file '" + f.path() + "' ("
                  + f.id() + ") is not complete here yet; download it first");
            }
            if (fr.layout().length() != f.size()) {
              throw new PeerException(ErrorCode.BAD_MANIFEST, "bad manifest: directory " + id + ": entry '"
                  + Manifest.printable(f.path()) + "' claims " + f.size() + " bytes but its content " + f.id()
                  + " has " + fr.layout().length());
            }
          }
        }
        assemble(manifest, dest, writable);
        touched.putAll(files);
      }
      touch(id, e, true);
      touched.forEach((fid, fe) -> touch(fid, fe, true)); // the files were read too
      return dest;
    } catch (IOException ex) {
      throw StorageErrors.io(ex, "materializing " + id + " at " + dest);
    } finally {
      leased.forEach(x -> x.leases.decrementAndGet());
    }
  }

  private byte[] readManifestBytes(ContentId id, ContentRecord rec) throws IOException {
    if (rec.layout().length() > Manifest.MAX_MANIFEST_BYTES) {
      throw new PeerException(ErrorCode.BAD_MANIFEST, "bad manifest: " + id + " is " + rec.layout().length()
          + " bytes, more than the limit of " + Manifest.MAX_MANIFEST_BYTES);
    }
    return Files.readAllBytes(dataFile(id));
  }

  private void assemble(Manifest manifest, Path dest, boolean writable) throws IOException {
    Path tmp = dest.toAbsolutePath().getParent()
        .resolve("." + dest.getFileName() + ".rayfile-tmp-" + randomSuffix());
    Files.createDirectory(tmp);
    boolean done = false;
    try {
      boolean[] linkRefused = {false};
      for (ManifestEntry me : manifest.entries()) {
        Path target = tmp.resolve(me.path());
        Files.createDirectories(target.getParent());
        if (me instanceof DirEntry) {
          Files.createDirectories(target);
        } else if (me instanceof SymlinkEntry s) {
          Files.createSymbolicLink(target, target.getFileSystem().getPath(s.target()));
        } else if (me instanceof FileEntry f) {
          if (f.executable() || writable || linkRefused[0]) {
            copyWithMode(dataFile(f.id()), target, writable, f.executable());
          } else {
            try {
              Files.createLink(target, dataFile(f.id()));
            } catch (IOException ex) {
              if (!StorageErrors.isLinkRefused(ex)) {
                throw ex;
              }
              linkRefused[0] = true;
              copyWithMode(dataFile(f.id()), target, false, false);
            }
          }
        }
      }
      if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
        throw new PeerException(ErrorCode.ALREADY_EXISTS, dest + " appeared while it was being materialized");
      }
      Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
      done = true;
    } finally {
      if (!done) {
        deleteTree(tmp);
      }
    }
  }

  private static void materializeFile(Path data, Path dest, boolean writable, boolean executable)
      throws IOException {
    if (!writable && !executable) {
      try {
        Files.createLink(dest, data);
        return;
      } catch (IOException e) {
        if (!StorageErrors.isLinkRefused(e)) {
          throw e;
        }
      }
    }
    // Copy beside dest, then link into place: createLink refuses to replace, so dest is never clobbered.
    Path tmp = dest.toAbsolutePath().getParent().resolve("." + dest.getFileName() + ".rayfile-tmp-" + randomSuffix());
    try {
      copyWithMode(data, tmp, writable, executable);
      Files.createLink(dest, tmp);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new PeerException(ErrorCode.ALREADY_EXISTS, dest + " appeared while it was being materialized", e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void copyWithMode(Path data, Path target, boolean writable, boolean executable) throws IOException {
    Files.copy(data, target);
    Files.setPosixFilePermissions(target, writable ? (executable ? WRITABLE_EXEC : WRITABLE)
        : (executable ? READ_EXEC : READ_ONLY));
  }

  // ---------------------------------------------------------------- piece path

  @Override
  public ContentInfo begin(ContentId id, ContentKind kind, PieceLayout layout) {
    checkOpen();
    checkPieces(layout, id.toString());
    Entry e = entries.get(id);
    if (e == null) {
      reserve(layout.length(), id.toString());
      ReentrantLock lock = lockFor(id);
      lock.lock();
      try {
        e = entries.get(id);
        if (e == null) {
          Path file = dataFile(id);
          Files.createDirectories(file.getParent());
          try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0);
            raf.setLength(layout.length()); // sparse: disk full is handled on every piece write
          }
          ContentRecord rec = ContentRecord.partial(kind, layout, nowMillis());
          meta.put(id, rec);
          e = new Entry(rec);
          entries.put(id, e);
          usedBytes.addAndGet(layout.length());
        }
      } catch (IOException ex) {
        deleteQuietly(dataFile(id));
        throw StorageErrors.io(ex, "creating the data file of " + id + " (" + layout.length() + " bytes)");
      } finally {
        lock.unlock();
        release(layout.length());
      }
    }
    ContentRecord rec = e.record;
    if (!rec.layout().equals(layout)) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, id + " is already known with " + rec.layout()
          + ", not " + layout + "; all peers must use the same piece length for a content");
    }
    if (!rec.complete() && rec.allPiecesFinished()) {
      finish(id, e, null); // all pieces landed but the SHA-256 check did not run (a crash, an empty content)
    }
    return e.record.toInfo(id);
  }

  @Override
  public PieceWriter writePiece(ContentId id, int piece) {
    checkOpen();
    Entry e = existing(id);
    PieceLayout layout = e.record.layout();
    long offset = layout.offset(piece);
    int size = layout.size(piece);
    ReentrantLock lock = lockFor(id);
    lock.lock();
    try {
      if (entries.get(id) != e) {
        throw notFound(id);
      }
      if (e.record.isFinished(piece)) {
        return FinishedPieceWriter.INSTANCE;
      }
      if (e.writing.get(piece)) {
        throw new PeerException(ErrorCode.INVALID_ARGUMENT, "piece " + piece + " of " + id
            + " is already being written by another writer; wait for it to commit or abort");
      }
      e.writing.set(piece);
      e.leases.incrementAndGet();
    } finally {
      lock.unlock();
    }
    try {
      // Direct only at a block-aligned offset: pieces whose length is a multiple of 4 KiB (all but tiny tests').
      FileChannel directCh = directIo && DirectIo.aligned(offset) ? directWrites.open(dataFile(id)) : null;
      FileChannel ch = directCh != null ? directCh : FileChannel.open(dataFile(id), StandardOpenOption.WRITE);
      // A one-piece content written direct is hashed as it arrives, so it is not read back from the disk. Written
      // buffered it is read back from the page cache after its commit, on the caller's completion thread: hashing
      // on the receiving thread instead held up the next pieces on its connection (bench small-files C=32: 354 to
      // 396 files/s against 415 to 448).
      boolean whole = directCh != null && layout.pieceCount() == 1 && e.record.kind() != ContentKind.EXTERNAL;
      return new FilePieceWriter(id, e, piece, offset, size, ch, directCh != null, whole);
    } catch (IOException | RuntimeException ex) {
      endWrite(id, e, piece);
      if (ex instanceof NoSuchFileException) {
        throw notFound(id);
      }
      throw ex instanceof IOException io ? StorageErrors.io(io, "opening " + id + " for writing") : (RuntimeException) ex;
    }
  }

  private void endWrite(ContentId id, Entry e, int piece) {
    ReentrantLock lock = lockFor(id);
    lock.lock();
    try {
      e.writing.clear(piece);
    } finally {
      lock.unlock();
    }
    e.leases.decrementAndGet();
  }

  /** A writer for a piece that is already there: accepts and ignores everything, so nothing counts twice. */
  private enum FinishedPieceWriter implements PieceWriter {
    INSTANCE;

    @Override
    public void write(ByteBuffer bytes) {
      bytes.position(bytes.limit());
    }

    @Override
    public void commit(int expectedCrc32c) {}

    @Override
    public void abort() {}

    @Override
    public void close() {}
  }

  private final class FilePieceWriter implements PieceWriter {
    /** Full staging buffers one writer may have on the disk threads: 1 MiB, a few milliseconds of disk. */
    static final int MAX_IN_FLIGHT = 4;
    private final ContentId id;
    private final Entry entry;
    private final int piece;
    private final long offset;
    private final int size;
    private FileChannel channel;
    private final CRC32C crc = new CRC32C();
    /** Writing with O_DIRECT through {@link #staging}; false when buffered, from the start or after a refusal. */
    private boolean direct;
    /** Bytes received, not yet written; written a whole (aligned) buffer at a time. Null when never direct. */
    private ByteBuffer staging;
    /** Bytes handed to the file or to a disk thread: {@link #written} minus what is staged. */
    private long flushed;
    /** Full staging buffers being written by {@link DirectIo#DISK} threads, oldest first. */
    private final ArrayDeque<Future<?>> inFlight = new ArrayDeque<>();
    /** Set by a disk thread whose direct write the file system refused: this writer goes buffered. */
    private volatile boolean refused;
    /** For a content of one piece: the SHA-256 of the bytes as they arrive, else null. */
    private final MessageDigest sha;
    private long written;
    private boolean ended;

    FilePieceWriter(ContentId id, Entry entry, int piece, long offset, int size, FileChannel channel,
        boolean direct, boolean wholeContent) {
      this.id = id;
      this.entry = entry;
      this.piece = piece;
      this.offset = offset;
      this.size = size;
      this.channel = channel;
      this.direct = direct;
      this.staging = direct ? DirectIo.WRITES.take() : null;
      this.sha = wholeContent ? ContentHasher.sha256() : null;
    }

    @Override
    public synchronized void write(ByteBuffer bytes) {
      if (ended) {
        throw new PeerException(ErrorCode.INVALID_ARGUMENT, "piece " + piece + " of " + id
            + ": write after commit or abort");
      }
      int n = bytes.remaining();
      if (written + n > size) {
        throw new PeerException(ErrorCode.INVALID_ARGUMENT, "piece " + piece + " of " + id + " has " + size
            + " bytes; writing " + n + " more after " + written + " would pass its end");
      }
      crc.update(bytes.duplicate());
      if (sha != null) {
        sha.update(bytes.duplicate());
      }
      try {
        stage(bytes);
        written += n;
      } catch (IOException ex) {
        abort();
        if (StorageErrors.isDiskFull(ex)) {
          dropAfterDiskFull(id, entry);
        }
        throw StorageErrors.io(ex, "writing piece " + piece + " of " + id + " to " + dataFile(id));
      }
    }

    @Override
    public void commit(int expectedCrc32c) {
      synchronized (this) {
        if (ended) {
          throw new PeerException(ErrorCode.INVALID_ARGUMENT, "piece " + piece + " of " + id
              + " was already committed or aborted");
        }
        if (written != size) {
          abort();
          throw new PeerException(ErrorCode.CORRUPT_CONTENT, "piece " + piece + " of " + id + ": got " + written
              + " bytes, the piece has " + size + "; it stays missing");
        }
        int actual = (int) crc.getValue();
        if (actual != expectedCrc32c) {
          abort();
          throw new PeerException(ErrorCode.CORRUPT_CONTENT, String.format(
              "piece %d of %s: CRC32C is %08x, expected %08x; the piece stays missing (fetch it elsewhere)",
              piece, id, actual, expectedCrc32c));
        }
        try {
          flushTail();
        } catch (IOException ex) {
          abort();
          throw StorageErrors.io(ex, "writing piece " + piece + " of " + id + " to " + dataFile(id));
        }
        ended = true;
        closeChannel();
      }
      boolean last;
      ReentrantLock lock = lockFor(id);
      lock.lock();
      try {
        entry.writing.clear(piece);
        if (entries.get(id) != entry) {
          throw new PeerException(ErrorCode.NOT_FOUND, id + " was deleted while piece " + piece + " was written");
        }
        ContentRecord rec = entry.record;
        if (rec.isFinished(piece)) {
          return; // an import completed the content meanwhile
        }
        rec = rec.withPiece(piece, expectedCrc32c, nowMillis());
        meta.put(id, rec); // after the bytes: a set bit always means the bytes are there
        entry.record = rec;
        last = rec.allPiecesFinished() && !rec.complete();
      } finally {
        lock.unlock();
        entry.leases.decrementAndGet();
      }
      if (last) {
        finish(id, entry, sha == null ? null : ContentId.ofDigest(sha.digest()));
      } else if (entry.record.kind() != ContentKind.EXTERNAL) { // an external content is not named by its digest
        entry.hash(directIo).advance(dataFile(id), entry.record.layout(), entry::finished);
      }
    }

    @Override
    public synchronized void abort() {
      if (ended) {
        return;
      }
      ended = true;
      closeChannel();
      endWrite(id, entry, piece);
    }

    @Override
    public void close() {
      abort();
    }

    /**
     * Direct: copies {@code bytes} into the staging buffer and hands each full one to a disk thread, with at most
     * {@link #MAX_IN_FLIGHT} in flight: the receiving thread goes on reading the network while the disk writes,
     * and waits only when the disk falls that far behind. Buffered (from the start or after a refusal): writes
     * them.
     */
    private void stage(ByteBuffer bytes) throws IOException {
      if (direct && refused) {
        goBuffered();
      }
      while (direct && bytes.hasRemaining()) {
        int take = Math.min(bytes.remaining(), staging.remaining());
        staging.put(bytes.slice(bytes.position(), take));
        bytes.position(bytes.position() + take);
        if (!staging.hasRemaining()) {
          submitStaged();
        }
      }
      int n = bytes.remaining();
      DirectIo.writeFully(channel, bytes, offset + flushed);
      flushed += n;
    }

    private void submitStaged() throws IOException {
      while (inFlight.size() >= MAX_IN_FLIGHT) {
        awaitOldest();
      }
      ByteBuffer full = staging.flip();
      long at = offset + flushed;
      FileChannel ch = channel;
      staging = DirectIo.WRITES.take();
      flushed += full.remaining();
      inFlight.add(DirectIo.DISK.submit(() -> {
        try {
          writeDirect(ch, full, at);
        } finally {
          DirectIo.WRITES.give(full);
        }
        return null;
      }));
    }

    /**
     * Writes whole blocks at {@code at} with O_DIRECT. When the file system refuses (EINVAL from a file system that
     * accepted the open, e.g. a device with larger blocks), writes the same bytes buffered and switches the store,
     * and this writer at its next bytes, to buffered I/O: a refused write wrote nothing, a partial one is written
     * over with the same bytes.
     */
    private void writeDirect(FileChannel ch, ByteBuffer buf, long at) throws IOException {
      try {
        DirectIo.writeFully(ch, buf, at);
      } catch (IOException ex) {
        if (!DirectIo.isRefusal(ex)) {
          throw ex;
        }
        refuseDirect(ex);
        refused = true;
        try (FileChannel buffered = FileChannel.open(dataFile(id), StandardOpenOption.WRITE)) {
          DirectIo.writeFully(buffered, buf.rewind(), at);
        }
      }
    }

    /** After a refusal: waits for the disk threads, then writes what is staged, and what comes later, buffered. */
    private void goBuffered() throws IOException {
      drain();
      FileChannel buffered = FileChannel.open(dataFile(id), StandardOpenOption.WRITE);
      closeQuietly(channel);
      channel = buffered;
      direct = false;
      int staged = staging.position();
      DirectIo.writeFully(channel, staging.flip(), offset + flushed);
      flushed += staged;
    }

    /** Writes what is staged once the disk threads are done: whole blocks directly, the content's tail buffered. */
    private void flushTail() throws IOException {
      if (!direct) {
        return;
      }
      drain();
      int staged = staging.position();
      int whole = DirectIo.alignDown(staged);
      writeDirect(channel, staging.slice(0, whole), offset + flushed);
      ByteBuffer tail = staging.slice(whole, staged - whole);
      if (tail.hasRemaining()) {
        try (FileChannel buffered = FileChannel.open(dataFile(id), StandardOpenOption.WRITE)) {
          DirectIo.writeFully(buffered, tail, offset + flushed + whole);
        }
      }
      flushed += staged;
    }

    /** Waits for every write handed to a disk thread; throws the first one's failure. */
    private void drain() throws IOException {
      while (!inFlight.isEmpty()) {
        awaitOldest();
      }
    }

    private void awaitOldest() throws IOException {
      Future<?> f = inFlight.poll();
      boolean interrupted = false;
      try {
        while (true) {
          try {
            f.get();
            return;
          } catch (InterruptedException e) {
            interrupted = true; // the write is under way either way; its bytes must land before we go on
          } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /**
     * Waits for the disk threads (a write still under way must not land after the piece is released: a retry from
     * another parent could be written first), then releases the buffer and the file.
     */
    private void closeChannel() {
      while (!inFlight.isEmpty()) {
        try {
          drain();
        } catch (IOException ex) {
          log.debug("writing piece {} of {}: {}", piece, id, ex.toString()); // the piece is dropped anyway
        }
      }
      if (staging != null) {
        DirectIo.WRITES.give(staging);
        staging = null;
      }
      closeQuietly(channel);
    }

    private void closeQuietly(FileChannel ch) {
      try {
        ch.close();
      } catch (IOException ex) {
        log.debug("closing {}: {}", id, ex.toString());
      }
    }
  }

  /** From now on this store writes, hashes and serves pieces buffered: its file system refused a direct write. */
  private void refuseDirect(IOException ex) {
    if (directIo) {
      directIo = false;
      log.warn("store {}: the file system refused a direct write ({}); the store uses buffered I/O from now on",
          settings.dataDir(), ex.toString());
    }
  }

  private void dropAfterDiskFull(ContentId id, Entry e) {
    ReentrantLock lock = lockFor(id);
    lock.lock();
    try {
      if (entries.get(id) == e && !e.record.complete()) {
        log.warn("store {}: disk full while downloading {}; removing its partial data", settings.dataDir(), id);
        removeLocked(id, e);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checks the SHA-256 of a content whose pieces are all there and makes it complete, or drops it.
   *
   * @param digest the SHA-256 taken while its only piece arrived, or null to take it from the file
   */
  private void finish(ContentId id, Entry e, ContentId digest) {
    if (!e.finalizing.compareAndSet(false, true)) {
      return; // another thread is on it
    }
    e.leases.incrementAndGet();
    try {
      ContentId actual = digest != null ? digest : id;
      if (digest == null && e.record.kind() != ContentKind.EXTERNAL) { // an external content's id is its task id
        actual = e.hash(directIo).finish(dataFile(id), e.record.layout(), e::finished);
      }
      if (actual == null) {
        try (FileChannel ch = FileChannel.open(dataFile(id), StandardOpenOption.READ)) {
          actual = ContentHasher.hash(ch, e.record.layout().length(), e.record.layout().pieceLength(), null).id();
        } catch (IOException ex) {
          throw StorageErrors.io(ex, "checking the SHA-256 of " + id);
        }
      }
      ReentrantLock lock = lockFor(id);
      lock.lock();
      try {
        if (entries.get(id) != e || e.record.complete()) {
          return;
        }
        if (!actual.equals(id) && e.record.kind() != ContentKind.EXTERNAL) {
          removeLocked(id, e);
          throw new PeerException(ErrorCode.CORRUPT_CONTENT, "all pieces of " + id + " arrived with good CRCs but "
              + "their SHA-256 is " + actual + "; the content was discarded (a source sent wrong data)");
        }
        Files.setPosixFilePermissions(dataFile(id), READ_ONLY);
        ContentRecord rec = e.record.withState(ContentState.COMPLETE).withLastAccess(nowMillis());
        meta.put(id, rec);
        e.record = rec;
      } catch (IOException ex) {
        throw StorageErrors.io(ex, "completing " + id);
      } finally {
        lock.unlock();
      }
    } finally {
      e.finalizing.set(false);
      e.leases.decrementAndGet();
    }
  }

  @Override
  public PieceData readPiece(ContentId id, int piece) {
    checkOpen();
    Entry e = existing(id);
    ContentRecord rec = e.record;
    PieceLayout layout = rec.layout();
    long offset = layout.offset(piece);
    if (!rec.isFinished(piece)) {
      throw new PeerException(ErrorCode.INCOMPLETE, "piece " + piece + " of " + id + " is not here yet");
    }
    touch(id, e, false);
    return new PieceData(dataFile(id), offset, layout.size(piece), rec.crc(piece), directIo && !e.imported);
  }

  // ---------------------------------------------------------------- pins, delete, eviction

  @Override
  public ContentInfo pin(ContentId id) {
    return pinAll(id, +1);
  }

  @Override
  public ContentInfo unpin(ContentId id) {
    return pinAll(id, -1);
  }

  private ContentInfo pinAll(ContentId id, int delta) {
    checkOpen();
    Entry e = existing(id);
    Set<ContentId> files = Set.of();
    if (e.record.kind() == ContentKind.DIRECTORY && e.record.complete()) {
      try {
        files = Manifest.parse(readManifestBytes(id, e.record)).fileIds();
      } catch (IOException ex) {
        throw StorageErrors.io(ex, "reading the manifest of " + id);
      }
    }
    ContentInfo info = pinOne(id, delta);
    for (ContentId f : files) {
      if (entries.containsKey(f)) {
        try {
          pinOne(f, delta);
        } catch (PeerException ex) {
          if (ex.code() != ErrorCode.NOT_FOUND) {
            throw ex;
          }
        }
      }
    }
    return info;
  }

  private ContentInfo pinOne(ContentId id, int delta) {
    ReentrantLock lock = lockFor(id);
    lock.lock();
    try {
      Entry e = existing(id);
      ContentRecord rec = e.record.withPinCount(e.record.pinCount() + delta);
      if (rec.pinCount() != e.record.pinCount()) {
        meta.put(id, rec);
        e.record = rec;
      }
      return rec.toInfo(id);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long delete(ContentId id, boolean force) {
    checkOpen();
    ReentrantLock lock = lockFor(id);
    lock.lock();
    try {
      Entry e = entries.get(id);
      if (e == null) {
        return 0;
      }
      if (e.record.pinCount() > 0 && !force) {
        throw new PeerException(ErrorCode.PINNED, id + " is pinned " + e.record.pinCount()
            + " time(s): something in the cluster still references it; unpin it first or delete with force");
      }
      return removeLocked(id, e);
    } finally {
      lock.unlock();
    }
  }

  /** Removes record then data file (a crash in between leaves an orphan file, deleted at open). */
  private long removeLocked(ContentId id, Entry e) {
    entries.remove(id, e);
    meta.remove(id);
    long length = e.record.layout().length();
    usedBytes.addAndGet(-length);
    deleteQuietly(dataFile(id));
    return length;
  }

  @Override
  public EvictionResult evict(Instant now) {
    checkOpen();
    List<ContentId> evicted = new ArrayList<>();
    long freed = evictExpired(now, evicted);
    long quota = settings.quotaBytes();
    if (usedBytes.get() > settings.highWatermark() * quota) {
      freed += evictDownTo((long) (settings.lowWatermark() * quota), now, evicted);
    }
    return new EvictionResult(evicted, freed);
  }

  private long evictExpired(Instant now, List<ContentId> evicted) {
    if (!settings.hasTtl()) {
      return 0;
    }
    long cutoff = now.toEpochMilli() - settings.ttl().toMillis();
    long freed = 0;
    for (ContentInfo c : candidates()) {
      if (c.lastAccess().toEpochMilli() <= cutoff) {
        freed += evictOne(c.id(), evicted);
      }
    }
    return freed;
  }

  private long evictDownTo(long targetUsed, Instant now, List<ContentId> evicted) {
    long freed = 0;
    for (ContentInfo c : eviction.order(candidates(), now)) {
      if (usedBytes.get() + reserved() <= targetUsed) {
        break;
      }
      freed += evictOne(c.id(), evicted);
    }
    return freed;
  }

  private List<ContentInfo> candidates() {
    List<ContentInfo> out = new ArrayList<>();
    entries.forEach((id, e) -> {
      if (e.record.pinCount() == 0 && e.leases.get() == 0) {
        out.add(e.record.toInfo(id));
      }
    });
    return out;
  }

  private long evictOne(ContentId id, List<ContentId> evicted) {
    ReentrantLock lock = lockFor(id);
    if (!lock.tryLock()) {
      return 0; // busy: not a candidate now
    }
    try {
      Entry e = entries.get(id);
      if (e == null || e.record.pinCount() > 0 || e.leases.get() > 0) {
        return 0;
      }
      log.debug("store {}: evicting {}", settings.dataDir(), id);
      evicted.add(id);
      return removeLocked(id, e);
    } finally {
      lock.unlock();
    }
  }

  /** Reserves room for {@code length} new bytes, evicting if needed; QUOTA_EXCEEDED when it cannot. */
  private void reserve(long length, String what) {
    long quota = settings.quotaBytes();
    synchronized (space) {
      if (usedBytes.get() + reservedBytes + length <= quota) {
        reservedBytes += length;
        return;
      }
    }
    Instant now = settings.clock().instant();
    List<ContentId> evicted = new ArrayList<>();
    evictExpired(now, evicted);
    if (usedBytes.get() > settings.highWatermark() * quota) {
      evictDownTo((long) (settings.lowWatermark() * quota), now, evicted);
    }
    evictDownTo(quota - length, now, evicted);
    synchronized (space) {
      if (usedBytes.get() + reservedBytes + length <= quota) {
        reservedBytes += length;
        if (!evicted.isEmpty()) {
          log.info("store {}: evicted {} content(s) to make room for {}", settings.dataDir(), evicted.size(), what);
        }
        return;
      }
    }
    StoreUsage u = usage();
    long inUse = 0;
    for (Entry e : entries.values()) {
      if (e.record.pinCount() == 0 && e.leases.get() > 0) {
        inUse += e.record.layout().length();
      }
    }
    String why = length > quota ? "it is larger than the whole quota of " + quota + " bytes"
        : "the quota is " + quota + " bytes, " + u.pinnedBytes() + " bytes are pinned, " + inUse
            + " bytes are in use by running imports, downloads or reads, and " + reserved()
            + " bytes are reserved by imports in progress; nothing else can be evicted";
    throw new PeerException(ErrorCode.QUOTA_EXCEEDED, "cannot store " + what + " (" + length + " bytes): " + why
        + ". Unpin or delete contents that are no longer needed (rayfile rm), or raise the store quota");
  }

  private void release(long length) {
    synchronized (space) {
      reservedBytes -= length;
    }
  }

  private long reserved() {
    synchronized (space) {
      return reservedBytes;
    }
  }

  // ---------------------------------------------------------------- helpers

  private void touch(ContentId id, Entry e, boolean always) {
    long now = nowMillis();
    if (!always && now - e.record.lastAccessMillis() < TOUCH_GRANULARITY_MILLIS) {
      return;
    }
    ReentrantLock lock = lockFor(id);
    if (!lock.tryLock()) {
      return; // someone is updating it right now; access time is advisory
    }
    try {
      touchLocked(id, e, now, always);
    } finally {
      lock.unlock();
    }
  }

  private void touchLocked(ContentId id, Entry e, long now, boolean always) {
    if (entries.get(id) != e || closed) {
      return;
    }
    long last = e.record.lastAccessMillis();
    if (now > last && (always || now - last >= TOUCH_GRANULARITY_MILLIS)) {
      ContentRecord rec = e.record.withLastAccess(now);
      meta.put(id, rec);
      e.record = rec;
    }
  }

  private Entry existing(ContentId id) {
    Entry e = entries.get(id);
    if (e == null) {
      throw notFound(id);
    }
    return e;
  }

  /** The content's entry with a lease taken (the caller releases it). */
  private Entry lease(ContentId id) {
    ReentrantLock lock = lockFor(id);
    lock.lock();
    try {
      Entry e = existing(id);
      e.leases.incrementAndGet();
      return e;
    } finally {
      lock.unlock();
    }
  }

  private static PeerException notFound(ContentId id) {
    return new PeerException(ErrorCode.NOT_FOUND, id + " is not in this store");
  }

  private static void checkPieces(PieceLayout layout, String what) {
    if (layout.pieceCount() > MAX_PIECES) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, what + ": " + layout.pieceCount()
          + " pieces is more than the store's limit of " + MAX_PIECES + "; use a larger piece length");
    }
  }

  Path dataFile(ContentId id) {
    return contentDir.resolve(id.shard()).resolve(id.hex());
  }

  private ReentrantLock lockFor(ContentId id) {
    return stripes[Math.floorMod(id.hex().hashCode(), STRIPES)];
  }

  private long nowMillis() {
    return settings.clock().millis();
  }

  private void checkOpen() {
    if (closed) {
      throw new PeerException(ErrorCode.INTERNAL, "the content store at " + settings.dataDir() + " is closed");
    }
  }

  private static String randomSuffix() {
    return HexFormat.of().formatHex(ByteBuffer.allocate(8).putLong(ThreadLocalRandom.current().nextLong()).array());
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", p, e.toString());
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(f);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void closeQuietly(FileLock lock, FileChannel ch) {
    try {
      if (lock != null) {
        lock.release();
      }
      if (ch != null) {
        ch.close();
      }
    } catch (IOException e) {
      log.debug("releasing the data directory lock: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    meta.close();
    closeQuietly(dirLock, lockChannel);
  }
}
