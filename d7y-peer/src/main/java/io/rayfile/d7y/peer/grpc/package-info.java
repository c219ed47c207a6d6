/**
 * The gRPC edge of the peer: the node daemon's local API server and its client. Wire types (generated protobuf)
 * stop here: everything on either side of this package speaks the storage package's domain records, and errors
 * become {@link io.rayfile.d7y.peer.PeerException}s again on the client side.
 */
package io.rayfile.d7y.peer.grpc;
