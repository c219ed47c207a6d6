package io.rayfile.d7y.peer.transfer;

import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.storage.ContentId;
import java.time.Duration;

/**
 * A piece fetched and committed to its sink.
 *
 * @param parent where it came from
 * @param id content id
 * @param piece piece number
 * @param length bytes received
 * @param crc32c its CRC32C (checked)
 * @param elapsed from the call to {@code fetch} until the commit (includes waiting for a connection or a slot)
 */
public record PieceResult(HostPort parent, ContentId id, int piece, int length, int crc32c, Duration elapsed) {}
