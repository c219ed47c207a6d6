package io.rayfile.d7y.peer.transfer;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A chunk of a piece sent with sendfile. Several chunks share one open file that their {@link PieceUpload} owns
 * and closes, so releasing a chunk must not close it (which {@link DefaultFileRegion} would). Staying a
 * {@code DefaultFileRegion} keeps the native sendfile path of the epoll transport open to us.
 */
final class PieceFileRegion extends DefaultFileRegion {
  private final Path path;

  PieceFileRegion(FileChannel file, Path path, long position, long count) {
    super(file, position, count);
    this.path = path;
  }

  /** The file the bytes come from (for logs and tests). */
  Path path() {
    return path;
  }

  @Override
  protected void deallocate() {
    // the shared file is closed by its PieceUpload once no chunk is outstanding
  }
}
