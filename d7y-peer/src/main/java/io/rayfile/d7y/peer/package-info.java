/**
 * The d7y peer: a node daemon that stores contents in pieces, serves them to other peers and downloads them
 * from peers or origins. Sub-packages: {@code storage} (content store and metadata), {@code grpc} (the local
 * API), and, with the peer-to-peer issue, {@code transfer}, {@code download} and {@code source}.
 */
package io.rayfile.d7y.peer;
