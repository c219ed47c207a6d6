package io.rayfile.d7y.peer.grpc;

import io.rayfile.d7y.peer.NodeContents;
import io.grpc.stub.StreamObserver;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.EvictionResult;
import io.rayfile.d7y.peer.storage.ImportResult;
import io.rayfile.proto.v1.DeleteRequest;
import io.rayfile.proto.v1.DeleteResponse;
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
import io.rayfile.proto.v1.PinResponse;
import io.rayfile.proto.v1.StatRequest;
import io.rayfile.proto.v1.StatResponse;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.download.DownloadEngine;
import io.rayfile.d7y.peer.download.Holdings;
import io.rayfile.d7y.peer.source.UrlTask;
import io.rayfile.d7y.peer.storage.ContentKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The local API: validates wire input, calls the store, maps results and errors back to the wire. */
final class NodeApiService extends NodeApiGrpc.NodeApiImplBase {
  private static final Logger log = LoggerFactory.getLogger(NodeApiService.class);

  private final NodeContents contents;
  private final ContentStore store;
  private final DownloadEngine engine;
  private final Holdings holdings;
  private final Clock clock;

  NodeApiService(NodeContents contents, Holdings holdings, Clock clock) {
    this.contents = contents;
    this.store = contents.store();
    this.engine = contents.engine();
    this.holdings = holdings;
    this.clock = clock;
  }

  @Override
  public void import_(ImportRequest request, StreamObserver<ImportResponse> out) {
    unary(out, () -> {
      Path path = absolutePath(request.getPath(), "import path");
      ImportResult result = contents.importPath(path, request.getMove(), request.getPin()); // now a seed of it
      log.info("imported {} as {} ({} bytes stored)", path, result.content().id(), result.storedBytes());
      return ImportResponse.newBuilder()
          .setContent(WireMapping.toWire(result.content()))
          .setStoredBytes(result.storedBytes())
          .build();
    });
  }

  @Override
  public void download(DownloadRequest request, StreamObserver<DownloadProgress> out) {
    try {
      Path dest = request.getNoOutput() ? null : absolutePath(request.getOutput(), "output path");
      if (dest != null && Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
        throw new PeerException(ErrorCode.ALREADY_EXISTS, "download destination " + dest + " already exists; "
            + "choose a new path");
      }
      List<HostPort> seeds = request.getSeedsList().stream().map(HostPort::parse).toList();
      ProgressStream progress = new ProgressStream(out);
      String what = request.getId();
      CompletableFuture<ContentInfo> done;
      if (what.startsWith("http://") || what.startsWith("https://")) {
        URI url = parseUrl(what);
        Optional<ContentId> expected = request.getExpectedDigest().isEmpty()
            ? Optional.empty() : Optional.of(ContentId.parse(request.getExpectedDigest()));
        UrlTask task = engine.urlTask(url, request.getPieceLength() > 0
            ? Optional.of(request.getPieceLength()) : Optional.empty(), expected);
        done = engine.download(new io.rayfile.d7y.peer.download.DownloadRequest(task.storeId(), Optional.of(task),
            seeds), progress::update);
      } else {
        ContentId id = ContentId.parse(what);
        done = contents.fetch(id, seeds, progress::update).thenApply(NodeContents.Fetched::info);
      }
      done.whenComplete((info, err) -> {
        if (err != null) {
          progress.fail(GrpcErrors.toStatus(unwrap(err)));
          return;
        }
        try {
          String path = dest == null ? "" : store.materialize(info.id(), dest, request.getWritable()).toString();
          long total = info.kind() == ContentKind.DIRECTORY ? info.treeBytes() : info.length();
          progress.finish(DownloadProgress.newBuilder().setDoneBytes(total).setTotalBytes(total).setPath(path)
              .setId(info.displayId()).setFinished(true).build());
        } catch (RuntimeException e) {
          progress.fail(GrpcErrors.toStatus(e));
        }
      });
    } catch (RuntimeException e) {
      fail(out, e);
    }
  }

  private static URI parseUrl(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "not a valid URL: " + e.getMessage());
    }
  }

  private static RuntimeException unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof RuntimeException r ? r : new PeerException(ErrorCode.INTERNAL, t.toString(), t);
  }

  @Override
  public void stat(StatRequest request, StreamObserver<StatResponse> out) {
    unary(out, () -> {
      ContentId id = ContentId.parse(request.getId());
      ContentInfo info = known(id);
      StatResponse.Builder b = StatResponse.newBuilder();
      if (request.getVerify()) {
        b.setVerify(WireMapping.toWire(store.verify(id)));
        info = known(id); // verification may have demoted corrupt pieces
      }
      return b.setContent(WireMapping.toWire(info)).build();
    });
  }

  @Override
  public void list(ListRequest request, StreamObserver<ListResponse> out) {
    unary(out, () -> {
      ListResponse.Builder b = ListResponse.newBuilder();
      store.list().forEach(c -> b.addContents(WireMapping.toWire(c)));
      return b.setUsage(WireMapping.toWire(store.usage())).build();
    });
  }

  @Override
  public void pin(PinRequest request, StreamObserver<PinResponse> out) {
    unary(out, () -> PinResponse.newBuilder()
        .setContent(WireMapping.toWire(store.pin(ContentId.parse(request.getId())))).build());
  }

  @Override
  public void unpin(PinRequest request, StreamObserver<PinResponse> out) {
    unary(out, () -> PinResponse.newBuilder()
        .setContent(WireMapping.toWire(store.unpin(ContentId.parse(request.getId())))).build());
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> out) {
    unary(out, () -> {
      ContentId id = ContentId.parse(request.getId());
      ContentInfo gone = known(id);
      long freed = store.delete(id, request.getForce());
      holdings.dropped(List.of(gone));
      return DeleteResponse.newBuilder().setDeleted(true).setFreedBytes(freed).build();
    });
  }

  @Override
  public void evict(EvictRequest request, StreamObserver<EvictResponse> out) {
    unary(out, () -> {
      List<ContentInfo> before = store.list();
      EvictionResult r = store.evict(clock.instant());
      holdings.dropped(before.stream().filter(c -> r.evicted().contains(c.id())).toList());
      EvictResponse.Builder b = EvictResponse.newBuilder().setFreedBytes(r.freedBytes());
      r.evicted().forEach(id -> b.addEvicted(id.toString()));
      return b.setUsage(WireMapping.toWire(store.usage())).build();
    });
  }

  private ContentInfo known(ContentId id) {
    return store.stat(id).orElseThrow(() -> new PeerException(ErrorCode.NOT_FOUND,
        "unknown content " + id + ": this node does not hold it (check the id, or `rayfile ls`)"));
  }

  private static Path absolutePath(String text, String what) {
    if (text.isEmpty()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, what + " is missing");
    }
    try {
      Path p = Path.of(text);
      if (!p.isAbsolute()) {
        throw new PeerException(ErrorCode.INVALID_ARGUMENT,
            what + " must be absolute (the daemon does not know the caller's working directory): " + text);
      }
      return p.normalize();
    } catch (InvalidPathException e) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, what + " is not a valid path: " + e.getMessage());
    }
  }

  private static <T> void unary(StreamObserver<T> out, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      fail(out, e);
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  private static void fail(StreamObserver<?> out, RuntimeException e) {
    if (!(e instanceof PeerException)) {
      log.error("local API call failed unexpectedly", e);
    }
    out.onError(GrpcErrors.toStatus(e));
  }
}
