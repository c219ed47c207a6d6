/**
 * Origins ("back-to-source"): where a content's bytes come from when no peer has them.
 *
 * <p>{@link io.rayfile.d7y.peer.source.SourceBackend} is the small interface an origin implements (probe the
 * length and range support, stream one byte range into a {@link io.rayfile.d7y.peer.source.RangeSink});
 * {@link io.rayfile.d7y.peer.source.SourceRegistry} picks the backend for a URL by scheme;
 * {@link io.rayfile.d7y.peer.source.HttpSourceBackend} speaks http(s) with Range requests.
 * {@link io.rayfile.d7y.peer.source.UrlTask} is the identity of an external content ({@code task:<64 hex>}), and
 * {@link io.rayfile.d7y.peer.source.OriginFetcher} is what the download engine calls to fill missing pieces from
 * an origin, with bounded parallelism, straight into the store's piece writers.
 */
package io.rayfile.d7y.peer.source;
