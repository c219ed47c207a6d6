/**
 * The data plane: peers move piece bytes to each other over Netty TCP with a small length-prefixed framing of our
 * own (byte layout in {@code docs/protocol.md}).
 *
 * <p>{@link io.rayfile.d7y.peer.transfer.PieceServer} serves finished pieces of a
 * {@link io.rayfile.d7y.peer.storage.ContentStore} with zero-copy file regions, under per-daemon upload slots and a
 * token-bucket byte rate. {@link io.rayfile.d7y.peer.transfer.PieceClient} keeps a small pool of connections per
 * parent, pipelines piece requests on them and streams received bytes into a
 * {@link io.rayfile.d7y.peer.transfer.PieceSink} (normally the store's piece writer) while computing the CRC32C.
 * Everything else in the package is package-private plumbing: one Netty handler per concern.
 */
package io.rayfile.d7y.peer.transfer;
