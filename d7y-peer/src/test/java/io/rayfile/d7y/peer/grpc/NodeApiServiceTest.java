package io.rayfile.d7y.peer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.download.DownloadEngine;
import io.rayfile.d7y.peer.download.DownloadMetrics;
import io.rayfile.d7y.peer.download.DownloadSettings;
import io.rayfile.d7y.peer.download.Holdings;
import io.rayfile.d7y.peer.source.SourceRegistry;
import io.rayfile.d7y.peer.transfer.ClientSettings;
import io.rayfile.d7y.peer.transfer.PieceClient;
import io.rayfile.d7y.peer.transfer.TransferMetrics;
import java.util.Optional;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.FileContentStore;
import io.rayfile.d7y.peer.storage.StoreSettings;
import io.rayfile.proto.v1.DeleteRequest;
import io.rayfile.proto.v1.DownloadRequest;
import io.rayfile.proto.v1.ImportRequest;
import io.rayfile.proto.v1.ListRequest;
import io.rayfile.proto.v1.NodeApiGrpc;
import io.rayfile.proto.v1.PinRequest;
import io.rayfile.proto.v1.StatRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The local API over an in-process channel: round trips, and hostile wire input mapped to clear errors. */
class NodeApiServiceTest {
  @TempDir
  Path tmp;

  private ContentStore store;
  private Server server;
  private ManagedChannel channel;
  private NodeApiGrpc.NodeApiBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    store = FileContentStore.open(StoreSettings.defaults(tmp.resolve("data")).withQuotaBytes(1L << 30));
    String name = InProcessServerBuilder.generateName();
    Holdings holdings = new Holdings(store, Optional.empty());
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new NodeApiService(new io.rayfile.d7y.peer.NodeContents(store, engine(store), holdings), holdings,
            Clock.systemUTC())).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = NodeApiGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
    engine.close();
    client.close();
    store.close();
  }

  private PieceClient client;
  private DownloadEngine engine;

  /** A node without scheduler or origin backends: downloads are local or fail clearly. */
  private DownloadEngine engine(ContentStore s) {
    client = PieceClient.create(ClientSettings.defaults(), TransferMetrics.NOOP);
    engine = new DownloadEngine(s, client, Optional.empty(), Optional.empty(), SourceRegistry.of(),
        DownloadSettings.defaults(), DownloadMetrics.NOOP, "test-host");
    return engine;
  }

  @Test
  void importStatDownloadRoundTrip() throws Exception {
    Path src = tmp.resolve("a.txt");
    Files.writeString(src, "hello rayfile");
    var imported = stub.import_(ImportRequest.newBuilder().setPath(src.toString()).setPin(true).build());
    String id = imported.getContent().getId();
    assertTrue(id.startsWith("sha256:"));
    assertEquals(1, imported.getContent().getPinCount());
    assertEquals(13, stub.stat(StatRequest.newBuilder().setId(id).setVerify(true).build()).getContent().getLength());
    var progress = stub.download(DownloadRequest.newBuilder().setId(id).setOutput(tmp.resolve("b.txt").toString())
        .build());
    var last = progress.next();
    while (progress.hasNext()) {
      last = progress.next();
    }
    assertTrue(last.getFinished());
    assertEquals(id, last.getId());
    assertEquals("hello rayfile", Files.readString(tmp.resolve("b.txt")));
    assertEquals(1, stub.list(ListRequest.getDefaultInstance()).getContentsCount());
  }

  @Test
  void hostileRequestsGetCodedErrorsAndChangeNothing() throws Exception {
    String unknown = "sha256:" + "0".repeat(64);
    expect(ErrorCode.INVALID_ARGUMENT, () -> stub.import_(ImportRequest.newBuilder().build()));
    expect(ErrorCode.INVALID_ARGUMENT, () -> stub.import_(ImportRequest.newBuilder().setPath("relative/x").build()));
    expect(ErrorCode.INVALID_ARGUMENT, () -> stub.import_(ImportRequest.newBuilder().setPath("/a\0b").build()));
    expect(ErrorCode.NOT_FOUND, () -> stub.import_(ImportRequest.newBuilder()
        .setPath(tmp.resolve("missing").toString()).build()));
    expect(ErrorCode.INVALID_ARGUMENT, () -> stub.stat(StatRequest.newBuilder().setId("sha256:XYZ").build()));
    expect(ErrorCode.INVALID_ARGUMENT, () -> stub.stat(StatRequest.newBuilder().setId("x".repeat(100_000)).build()));
    expect(ErrorCode.NOT_FOUND, () -> stub.stat(StatRequest.newBuilder().setId(unknown).build()));
    expect(ErrorCode.NOT_FOUND, () -> stub.pin(PinRequest.newBuilder().setId(unknown).build()));
    expect(ErrorCode.NOT_FOUND, () -> stub.delete(DeleteRequest.newBuilder().setId(unknown).build()));
    // not here, no scheduler, no seed: a clear NOT_FOUND saying what to check
    expect(ErrorCode.NOT_FOUND, () -> stub.download(DownloadRequest.newBuilder().setId(unknown)
        .setOutput(tmp.resolve("o").toString()).build()).next());
    expect(ErrorCode.INVALID_ARGUMENT, () -> stub.download(DownloadRequest.newBuilder().setId("ftp://x/y")
        .setOutput(tmp.resolve("o").toString()).build()).next());
    expect(ErrorCode.INVALID_ARGUMENT, () -> stub.download(DownloadRequest.newBuilder().setId(unknown)
        .setOutput("not/absolute").build()).next());
    assertEquals(0, stub.list(ListRequest.getDefaultInstance()).getContentsCount(), "nothing was stored");
  }

  @Test
  void pinnedContentIsNotDeletedWithoutForce() throws Exception {
    Path src = tmp.resolve("p.bin");
    Files.write(src, new byte[1000]);
    String id = stub.import_(ImportRequest.newBuilder().setPath(src.toString()).setPin(true).build())
        .getContent().getId();
    expect(ErrorCode.PINNED, () -> stub.delete(DeleteRequest.newBuilder().setId(id).build()));
    assertTrue(stub.delete(DeleteRequest.newBuilder().setId(id).setForce(true).build()).getDeleted());
  }

  @Test
  void clientMapsTrailerBackToTheSameCode() {
    StatusRuntimeException wire = assertThrows(StatusRuntimeException.class,
        () -> stub.stat(StatRequest.newBuilder().setId("sha256:" + "1".repeat(64)).build()));
    assertEquals(Status.Code.NOT_FOUND, wire.getStatus().getCode());
    PeerException back = GrpcErrors.fromStatus(wire, "in-process");
    assertEquals(ErrorCode.NOT_FOUND, back.code());
    assertTrue(back.getMessage().contains("1".repeat(64)), back.getMessage());
  }

  private static void expect(ErrorCode code, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, GrpcErrors.fromStatus(e, "in-process").code(), e.toString());
  }
}
