package io.rayfile.d7y.peer.grpc;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.EvictionResult;
import io.rayfile.d7y.peer.storage.ImportResult;
import io.rayfile.d7y.peer.storage.StoreUsage;
import io.rayfile.d7y.peer.storage.VerifyReport;
import io.rayfile.proto.v1.DeleteRequest;
import io.rayfile.proto.v1.DownloadProgress;
import io.rayfile.proto.v1.DownloadRequest;
import io.rayfile.proto.v1.EvictRequest;
import io.rayfile.proto.v1.EvictResponse;
import io.rayfile.proto.v1.ImportRequest;
import io.rayfile.proto.v1.ImportResponse;
import io.rayfile.proto.v1.ListRequest;
import io.rayfile.proto.v1.ListResponse;
import io.rayfile.proto.v1.NodeApiGrpc;
import io.rayfile.proto.v1.PinRequest;
import io.rayfile.proto.v1.StatRequest;
import io.rayfile.proto.v1.StatResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Client of a node daemon's local API. Speaks domain records; every failure is a {@link PeerException} whose
 * code is the daemon's own (or {@link ErrorCode#UNAVAILABLE} when the daemon cannot be reached).
 *
 * <pre>{@code
 * try (NodeClient node = NodeClient.connect(HostPort.parse("127.0.0.1:7070"))) {
 *   ContentId id = node.importPath(Path.of("/data/model"), false, true).content().id();
 *   node.download(id, Path.of("/tmp/model"), false, (done, total) -> {});
 * }
 * }</pre>
 */
public final class NodeClient implements AutoCloseable {
  /** Deadline of metadata calls; transfers have none (a 20 GiB import takes what it takes). */
  private static final Duration METADATA_DEADLINE = Duration.ofSeconds(30);

  /** A stat answer. */
  public record StatResult(ContentInfo content, Optional<VerifyReport> verify) {}

  /** A listing answer. */
  public record Listing(List<ContentInfo> contents, StoreUsage usage) {}

  /** An eviction answer. */
  public record Eviction(EvictionResult result, StoreUsage usage) {}

  /** Receives download progress. */
  @FunctionalInterface
  public interface Progress {
    void update(long doneBytes, long totalBytes);
  }

  private final HostPort target;
  private final ManagedChannel channel;
  private final NodeApiGrpc.NodeApiBlockingStub stub;

  private NodeClient(HostPort target, ManagedChannel channel) {
    this.target = target;
    this.channel = channel;
    this.stub = NodeApiGrpc.newBlockingStub(channel);
  }

  /** Opens a plaintext channel to a daemon's local API (no call is made yet). */
  public static NodeClient connect(HostPort target) {
    ManagedChannel channel = NettyChannelBuilder.forAddress(target.host(), target.port())
        .usePlaintext()
        .maxInboundMessageSize(64 << 20)
        .build();
    return new NodeClient(target, channel);
  }

  public HostPort target() {
    return target;
  }

  /** Imports an absolute path on the daemon's machine (file or directory). */
  public ImportResult importPath(Path path, boolean move, boolean pin) {
    ImportResponse r = call(() -> stub.import_(ImportRequest.newBuilder()
        .setPath(path.toAbsolutePath().toString()).setMove(move).setPin(pin).build()));
    return new ImportResult(WireMapping.fromWire(r.getContent()), r.getStoredBytes());
  }

  /**
   * What to download.
   *
   * @param what a content id ({@code sha256:<hex>}) or an http(s) URL
   * @param output where to materialize it on the daemon's machine; empty = only into the node's store (preheat)
   * @param writable a private writable copy instead of read-only links
   * @param expected for URLs: the expected {@code sha256:} of the bytes
   * @param pieceLength for URLs: a forced piece length, 0 = default
   * @param seeds data-plane addresses known to hold the content (used when no scheduler answers)
   */
  public record DownloadSpec(String what, Optional<Path> output, boolean writable, Optional<ContentId> expected,
      int pieceLength, List<HostPort> seeds) {
    public DownloadSpec {
      seeds = List.copyOf(seeds);
    }

    public static DownloadSpec of(String what, Path output) {
      return new DownloadSpec(what, Optional.of(output), false, Optional.empty(), 0, List.of());
    }
  }

  /** A finished download: the store id of the content and where it was materialized (if anywhere). */
  public record Downloaded(ContentId id, Optional<Path> path) {}

  /** Materializes a content at {@code dest} on the daemon's machine, reporting progress; returns the path. */
  public Path download(ContentId id, Path dest, boolean writable, Progress progress) {
    return download(new DownloadSpec(id.toString(), Optional.of(dest), writable, Optional.empty(), 0, List.of()),
        progress).path().orElseThrow();
  }

  /** Downloads per {@code spec} (through the node's cache, peers, or the origin), reporting progress. */
  public Downloaded download(DownloadSpec spec, Progress progress) {
    DownloadRequest.Builder req = DownloadRequest.newBuilder().setId(spec.what()).setWritable(spec.writable())
        .setPieceLength(spec.pieceLength());
    spec.output().ifPresentOrElse(p -> req.setOutput(p.toAbsolutePath().toString()), () -> req.setNoOutput(true));
    spec.expected().ifPresent(e -> req.setExpectedDigest(e.toString()));
    spec.seeds().forEach(s -> req.addSeeds(s.toString()));
    return call(() -> {
      Iterator<DownloadProgress> it = stub.download(req.build());
      while (it.hasNext()) {
        DownloadProgress p = it.next();
        progress.update(p.getDoneBytes(), p.getTotalBytes());
        if (p.getFinished()) {
          return new Downloaded(ContentId.parse(p.getId()),
              p.getPath().isEmpty() ? Optional.empty() : Optional.of(Path.of(p.getPath())));
        }
      }
      throw new PeerException(ErrorCode.INTERNAL, "download of " + spec.what() + " ended without a result");
    });
  }

  public StatResult stat(ContentId id, boolean verify) {
    StatResponse r = call(() -> timed().stat(
        StatRequest.newBuilder().setId(id.toString()).setVerify(verify).build()));
    return new StatResult(WireMapping.fromWire(r.getContent()),
        r.hasVerify() ? Optional.of(WireMapping.fromWire(id, r.getVerify())) : Optional.empty());
  }

  public Listing list() {
    ListResponse r = call(() -> timed().list(ListRequest.getDefaultInstance()));
    return new Listing(r.getContentsList().stream().map(WireMapping::fromWire).toList(),
        WireMapping.fromWire(r.getUsage()));
  }

  public ContentInfo pin(ContentId id) {
    return WireMapping.fromWire(call(() -> timed().pin(PinRequest.newBuilder().setId(id.toString()).build()))
        .getContent());
  }

  public ContentInfo unpin(ContentId id) {
    return WireMapping.fromWire(call(() -> timed().unpin(PinRequest.newBuilder().setId(id.toString()).build()))
        .getContent());
  }

  /** Deletes a content; returns the bytes freed. */
  public long delete(ContentId id, boolean force) {
    return call(() -> timed().delete(DeleteRequest.newBuilder().setId(id.toString()).setForce(force).build()))
        .getFreedBytes();
  }

  public Eviction evict() {
    EvictResponse r = call(() -> timed().evict(EvictRequest.getDefaultInstance()));
    return new Eviction(
        new EvictionResult(r.getEvictedList().stream().map(ContentId::parse).toList(), r.getFreedBytes()),
        WireMapping.fromWire(r.getUsage()));
  }

  private NodeApiGrpc.NodeApiBlockingStub timed() {
    return stub.withDeadlineAfter(METADATA_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  private <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw GrpcErrors.fromStatus(e, target.toString());
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
