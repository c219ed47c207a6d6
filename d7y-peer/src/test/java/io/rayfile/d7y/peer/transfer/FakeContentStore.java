package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.ContentState;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.EvictionResult;
import io.rayfile.d7y.peer.storage.ImportResult;
import io.rayfile.d7y.peer.storage.PieceData;
import io.rayfile.d7y.peer.storage.PieceLayout;
import io.rayfile.d7y.peer.storage.PieceWriter;
import io.rayfile.d7y.peer.storage.StoreUsage;
import io.rayfile.d7y.peer.storage.VerifyReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * The smallest {@link ContentStore} the data plane needs: one file per content in a directory, piece bitmap and
 * CRCs in memory. Enough for serving and receiving pieces; everything else is unsupported.
 */
final class FakeContentStore implements ContentStore {
  private final Path dir;
  private final Map<ContentId, Entry> entries = new ConcurrentHashMap<>();

  private static final class Entry {
    final ContentKind kind;
    final PieceLayout layout;
    final Path file;
    final BitSet finished = new BitSet();
    final int[] crcs;

    Entry(ContentKind kind, PieceLayout layout, Path file) {
      this.kind = kind;
      this.layout = layout;
      this.file = file;
      this.crcs = new int[layout.pieceCount()];
    }
  }

  FakeContentStore(Path dir) {
    this.dir = dir;
  }

  /** Stores {@code data} as a complete content with the given piece length. */
  ContentId put(byte[] data, int pieceLength) {
    try {
      ContentId id = ContentId.ofDigest(MessageDigest.getInstance("SHA-256").digest(data));
      Path file = dir.resolve(id.hex());
      Files.write(file, data);
      return putFile(id, file, pieceLength);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Registers an existing file as a complete content under {@code id} (no hashing: for big benchmark files). */
  ContentId putFile(ContentId id, Path file, int pieceLength) throws IOException {
    Entry e = new Entry(ContentKind.FILE, new PieceLayout(Files.size(file), pieceLength), file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      for (int p = 0; p < e.layout.pieceCount(); p++) {
        CRC32C crc = new CRC32C();
        long pos = e.layout.offset(p);
        long end = pos + e.layout.size(p);
        while (pos < end) {
          buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
          int n = ch.read(buf, pos);
          buf.flip();
          crc.update(buf);
          pos += n;
        }
        e.crcs[p] = (int) crc.getValue();
        e.finished.set(p);
      }
    }
    entries.put(id, e);
    return id;
  }

  /** Forgets that a piece is finished (a partial parent). */
  void dropPiece(ContentId id, int piece) {
    entries.get(id).finished.clear(piece);
  }

  Path file(ContentId id) {
    return entries.get(id).file;
  }

  @Override
  public Optional<ContentInfo> stat(ContentId id) {
    Entry e = entries.get(id);
    if (e == null) {
      return Optional.empty();
    }
    synchronized (e) {
      int done = e.finished.cardinality();
      ContentState state = done == e.layout.pieceCount() ? ContentState.COMPLETE : ContentState.PARTIAL;
      return Optional.of(new ContentInfo(id, e.kind, e.layout, done, state, 0, Instant.EPOCH, Instant.EPOCH,
          e.layout.length(), 0));
    }
  }

  @Override
  public BitSet finishedPieces(ContentId id) {
    Entry e = entries.get(id);
    if (e == null) {
      return new BitSet();
    }
    synchronized (e) {
      return (BitSet) e.finished.clone();
    }
  }

  @Override
  public ContentInfo begin(ContentId id, ContentKind kind, PieceLayout layout) {
    entries.computeIfAbsent(id, k -> {
      Path file = dir.resolve(id.hex());
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ch.truncate(layout.length());
        if (layout.length() > 0) {
          ch.write(ByteBuffer.allocate(1), layout.length() - 1);
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      return new Entry(kind, layout, file);
    });
    return stat(id).orElseThrow();
  }

  @Override
  public PieceWriter writePiece(ContentId id, int piece) {
    Entry e = entries.get(id);
    if (e == null) {
      throw new PeerException(ErrorCode.NOT_FOUND, id + " unknown");
    }
    long offset = e.layout.offset(piece);
    int size = e.layout.size(piece);
    FileChannel ch;
    try {
      ch = FileChannel.open(e.file, StandardOpenOption.WRITE);
    } catch (IOException ex) {
      throw new PeerException(ErrorCode.IO_ERROR, ex.toString());
    }
    return new PieceWriter() {
      final CRC32C crc = new CRC32C();
      long written;
      boolean done;

      @Override
      public void write(ByteBuffer bytes) {
        if (written + bytes.remaining() > size) {
          throw new PeerException(ErrorCode.INVALID_ARGUMENT, "write past the piece's end");
        }
        crc.update(bytes.duplicate());
        try {
          while (bytes.hasRemaining()) {
            written += ch.write(bytes, offset + written);
          }
        } catch (IOException ex) {
          throw new PeerException(ErrorCode.IO_ERROR, ex.toString());
        }
      }

      @Override
      public void commit(int expected) {
        closeChannel();
        if (written != size || (int) crc.getValue() != expected) {
          throw new PeerException(ErrorCode.CORRUPT_CONTENT, "piece " + piece + " does not match");
        }
        synchronized (e) {
          e.crcs[piece] = expected;
          e.finished.set(piece);
        }
        done = true;
      }

      @Override
      public void abort() {
        closeChannel();
      }

      @Override
      public void close() {
        if (!done) {
          abort();
        }
      }

      private void closeChannel() {
        try {
          ch.close();
        } catch (IOException ignored) {
          // test store
        }
      }
    };
  }

  @Override
  public PieceData readPiece(ContentId id, int piece) {
    Entry e = entries.get(id);
    if (e == null) {
      throw new PeerException(ErrorCode.NOT_FOUND, id + " unknown");
    }
    synchronized (e) {
      if (!e.finished.get(piece)) {
        throw new PeerException(ErrorCode.INCOMPLETE, "piece " + piece + " missing");
      }
      return new PieceData(e.file, e.layout.offset(piece), e.layout.size(piece), e.crcs[piece]);
    }
  }

  @Override
  public ImportResult importFile(Path file, boolean move, boolean pin) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ImportResult importDirectory(Path d, boolean move, boolean pin) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<ContentInfo> list() {
    throw new UnsupportedOperationException();
  }

  @Override
  public VerifyReport verify(ContentId id) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Path materialize(ContentId id, Path dest, boolean writable) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ContentInfo pin(ContentId id) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ContentInfo unpin(ContentId id) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long delete(ContentId id, boolean force) {
    throw new UnsupportedOperationException();
  }

  @Override
  public EvictionResult evict(Instant now) {
    throw new UnsupportedOperationException();
  }

  @Override
  public StoreUsage usage() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
