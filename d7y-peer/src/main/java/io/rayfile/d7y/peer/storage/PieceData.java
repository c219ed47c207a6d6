package io.rayfile.d7y.peer.storage;

import java.nio.file.Path;

/**
 * Where a finished piece's bytes are on disk, for serving: zero-copy (sendfile of a file region), or read with
 * O_DIRECT when the store keeps its pieces out of the page cache.
 *
 * @param file the content's data file
 * @param offset byte offset of the piece in that file
 * @param length piece length in bytes
 * @param crc32c CRC32C recorded when the piece was committed
 * @param directIo read it with O_DIRECT ({@link DirectIo}): the store wrote it past the page cache, and sendfile
 *     would pull it into the cache again
 */
public record PieceData(Path file, long offset, int length, int crc32c, boolean directIo) {
  /** A piece served from the page cache. */
  public PieceData(Path file, long offset, int length, int crc32c) {
    this(file, offset, length, crc32c, false);
  }
}
