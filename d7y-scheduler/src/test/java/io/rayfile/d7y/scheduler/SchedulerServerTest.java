package io.rayfile.d7y.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.rayfile.proto.v1.AnnounceContentsRequest;
import io.rayfile.proto.v1.HeldContent;
import io.rayfile.proto.v1.PeerContentMeta;
import io.rayfile.proto.v1.PeerHost;
import io.rayfile.proto.v1.SchedulerGrpc;
import io.rayfile.proto.v1.StatContentRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real server on loopback: gRPC over netty and the Prometheus endpoint. */
class SchedulerServerTest {
  @Test
  void servesGrpcAndMetrics() throws Exception {
    SchedulerSettings settings = SchedulerSettings.builder().metricsPort(0).build();
    try (SchedulerServer server = SchedulerServer.start(0, settings)) {
      ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
          InsecureChannelCredentials.create()).build();
      try {
        var stub = SchedulerGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
        String id = "sha256:" + "77".repeat(32);
        stub.announceContents(AnnounceContentsRequest.newBuilder()
            .setHost(PeerHost.newBuilder().setHostId("h").setIp("127.0.0.1").setDataPort(7000))
            .addContents(HeldContent.newBuilder().setContentId(id).setMeta(PeerContentMeta.newBuilder()
                .setContentLength(10).setPieceLength(4).setPieceCount(3)))
            .build());
        assertEquals(1, stub.statContent(StatContentRequest.newBuilder().setContentId(id).build()).getSeedCount());
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      server.metrics().decision("wait");
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("rayfile_scheduler_decisions_total{type=\"wait\"} 1.0"), r.body());
      assertTrue(r.body().contains("rayfile_scheduler_peers 1.0"), r.body());
      assertTrue(r.body().contains("rayfile_scheduler_back_to_source_total"), r.body());
    }
  }
}
