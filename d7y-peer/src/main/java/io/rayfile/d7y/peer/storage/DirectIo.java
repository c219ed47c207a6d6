package io.rayfile.d7y.peer.storage;

import com.sun.nio.file.ExtendedOpenOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * O_DIRECT access to content data files, for stores set to bypass the page cache ({@link StoreSettings#directIo}).
 * Why: a node's page cache belongs to its workloads, and streaming gigabytes of pieces through it evicts their
 * working set; allocating the cache pages also costs CPU. Measured on the 2-core CI VM once its page cache is full:
 * 1.2 to 3 ms of kernel time per MiB written buffered, 0.1 ms per MiB written direct.
 *
 * <p>O_DIRECT needs the file position, the length and the buffer address aligned to the device's logical block;
 * {@link #ALIGN} (4096) covers 512- and 4096-byte devices. Callers stage bytes in aligned {@link BufferPool buffers}
 * and write an unaligned tail through an ordinary channel (Linux keeps the two coherent: a direct read first writes
 * back cached pages of its range).
 */
public final class DirectIo {
  private static final Logger log = LoggerFactory.getLogger(DirectIo.class);
  static final int ALIGN = 4096;
  /**
   * Staging buffers of piece writers: a few hundred can be in flight on a busy node, so they are small; a direct
   * write of 256 KiB already runs at the disk's speed.
   */
  static final BufferPool WRITES = new BufferPool(256 << 10, 64);
  /** Staging buffers of uploads: a chunk each ({@code ServerSettings.chunkSize}, 1 MiB by default), two per upload. */
  public static final BufferPool CHUNKS = new BufferPool(1 << 20, 32);
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  /**
   * The threads that wait for the disk on behalf of direct writes and upload reads, so the network thread that
   * receives or sends the next bytes does not. Why: O_DIRECT calls are synchronous (Java 17 has no io_uring), and
   * made on the event loop they took turns with the network: {@code bench pipe --direct-io} ran at half the
   * buffered speed. Daemon threads, shared by every store of the JVM like the buffer pools; they mostly sleep in
   * the kernel, so a few suffice.
   */
  public static final ExecutorService DISK =
      Executors.newFixedThreadPool(4, new DefaultThreadFactory("rayfile-disk", true));

  private DirectIo() {}

  /** {@code file} opened for direct writes, or null when its file system refuses O_DIRECT (then write buffered). */
  static FileChannel openWrite(Path file) throws IOException {
    return open(file, StandardOpenOption.WRITE);
  }

  /** {@code file} opened for direct reads, or null when its file system refuses O_DIRECT (then read buffered). */
  public static FileChannel openRead(Path file) throws IOException {
    return open(file, StandardOpenOption.READ);
  }

  private static FileChannel open(Path file, OpenOption mode) throws IOException {
    try {
      return FileChannel.open(file, mode, ExtendedOpenOption.DIRECT);
    } catch (UnsupportedOperationException e) {
      refused(file, e);
      return null;
    } catch (IOException e) {
      if (!file.toFile().exists()) {
        throw e; // a missing file is the caller's error, not a refusal of O_DIRECT
      }
      refused(file, e); // tmpfs and some FUSE file systems answer EINVAL
      return null;
    }
  }

  private static void refused(Path file, Exception e) {
    if (WARNED.compareAndSet(false, true)) {
      log.warn("the file system of {} refuses O_DIRECT ({}); the store uses buffered I/O there", file, e.toString());
    }
  }

  /**
   * True when {@code e} is a file system refusing a direct read or write of aligned bytes (EINVAL), as opposed to
   * a failing disk or a full one. Java reports the errno only as its message.
   */
  static boolean isRefusal(IOException e) {
    return e.getMessage() != null && e.getMessage().contains("Invalid argument");
  }

  /** True when {@code position} may start a direct read or write. */
  public static boolean aligned(long position) {
    return (position & (ALIGN - 1)) == 0;
  }

  /** {@code n} rounded down to a whole number of blocks. */
  static int alignDown(int n) {
    return n & -ALIGN;
  }

  /** {@code n} rounded up to a whole number of blocks. */
  static long alignUp(long n) {
    return (n + ALIGN - 1) & -ALIGN;
  }

  /** A direct buffer of {@code size} bytes whose address is block-aligned. */
  static ByteBuffer allocateAligned(int size) {
    return ByteBuffer.allocateDirect(size + ALIGN).alignedSlice(ALIGN).limit(size).slice();
  }

  /**
   * Writes all of {@code buf} (position to limit) at {@code position}; the caller keeps position, length and
   * address aligned.
   */
  static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    while (buf.hasRemaining()) {
      position += ch.write(buf, position);
    }
  }

  /**
   * Reads bytes [{@code pos}, {@code pos + n}) of a direct channel into {@code buf} (aligned, at least {@code n}
   * rounded up to whole blocks long) with one read rounded up to whole blocks, then leaves {@code buf} holding
   * exactly those {@code n} bytes. {@code pos} must be aligned.
   *
   * @return false when the file ends first (a regular file reads short only at its end)
   */
  public static boolean readAt(FileChannel in, ByteBuffer buf, long pos, int n) throws IOException {
    buf.clear().limit((int) alignUp(n));
    if (in.read(buf, pos) < n) {
      return false;
    }
    buf.flip().limit(n);
    return true;
  }

  /**
   * Feeds bytes [{@code pos}, {@code end}) of a direct channel to {@code sink}, one buffer-full of {@code buf}
   * (aligned, a whole number of blocks long) at a time. {@code pos} must be aligned.
   *
   * @return false when the file ends before {@code end}
   */
  static boolean readRange(FileChannel in, ByteBuffer buf, long pos, long end, Consumer<ByteBuffer> sink)
      throws IOException {
    while (pos < end) {
      int n = (int) Math.min(buf.capacity(), end - pos);
      if (!readAt(in, buf, pos, n)) {
        return false;
      }
      sink.accept(buf);
      pos += n;
    }
    return true;
  }
}
