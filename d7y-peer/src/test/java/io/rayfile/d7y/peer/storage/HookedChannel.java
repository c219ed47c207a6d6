package io.rayfile.d7y.peer.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A real file channel whose writes first run a hook: one that throws EINVAL plays a file system that accepts an
 * O_DIRECT open but refuses the writes themselves ({@link #refusing}); one that waits plays a slow disk.
 */
final class HookedChannel extends FileChannel {
  /** Runs before each write; throwing fails the write. */
  interface BeforeWrite {
    void run() throws IOException;
  }

  private final FileChannel real;
  private final BeforeWrite hook;

  HookedChannel(FileChannel real, BeforeWrite hook) {
    this.real = real;
    this.hook = hook;
  }

  /** Every write fails with EINVAL. */
  static HookedChannel refusing(FileChannel real) {
    return new HookedChannel(real, () -> {
      throw new IOException("Invalid argument");
    });
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    hook.run();
    return real.write(src, position);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    hook.run();
    return real.write(src);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    hook.run();
    return real.write(srcs, offset, length);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return real.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return real.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return real.read(dst, position);
  }

  @Override
  public long position() throws IOException {
    return real.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    real.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return real.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    real.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    real.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return real.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    hook.run();
    return real.transferFrom(src, position, count);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return real.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return real.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return real.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    real.close();
  }
}
