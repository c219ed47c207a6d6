package io.rayfile.d7y.peer.storage;

import java.nio.file.Path;

/**
 * Where a finished piece's bytes are on disk, for zero-copy serving (sendfile of a file region).
 *
 * @param file the content's data file
 * @param offset byte offset of the piece in that file
 * @param length piece length in bytes
 * @param crc32c CRC32C recorded when the piece was committed
 */
public record PieceData(Path file, long offset, int length, int crc32c) {}
