package io.rayfile.d7y.peer.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.proto.v1.AnnounceResponse;
import io.rayfile.proto.v1.BackToSource;
import io.rayfile.proto.v1.CandidateParents;
import io.rayfile.proto.v1.ParentCandidate;
import io.rayfile.proto.v1.PeerContentMeta;
import org.junit.jupiter.api.Test;

/** Scheduler answers mapped to decisions, and malformed answers turned into clear refusals. */
class GrpcSchedulingTest {
  private static ParentCandidate parent(String id, int port) {
    return ParentCandidate.newBuilder().setPeerId(id).setIp("127.0.0.1").setDataPort(port).setIsSeed(true).build();
  }

  @Test
  void parentsAndMetaWithKindMap() {
    AnnounceResponse r = AnnounceResponse.newBuilder().setCandidateParents(CandidateParents.newBuilder()
        .addParents(parent("p1", 7001))
        .setMeta(PeerContentMeta.newBuilder().setContentLength(10 << 20).setPieceLength(4 << 20).setPieceCount(3)
            .setKind(2))).build();
    Decision.Parents p = assertInstanceOf(Decision.Parents.class, GrpcScheduling.checked(r, "s"));
    assertEquals("p1", p.parents().get(0).peerId());
    assertEquals(7001, p.parents().get(0).data().port());
    assertEquals(ContentKind.DIRECTORY, p.meta().orElseThrow().kind().orElseThrow());
    assertEquals(3, p.meta().orElseThrow().layout().pieceCount());
  }

  @Test
  void backToSourceCarriesTheSources() {
    AnnounceResponse r = AnnounceResponse.newBuilder().setBackToSource(BackToSource.newBuilder()
        .setReason("origin").addSources(parent("seed:h", 7002))).build();
    Decision.BackToSource b = assertInstanceOf(Decision.BackToSource.class, GrpcScheduling.checked(r, "s"));
    assertEquals("seed:h", b.sources().get(0).peerId());
  }

  @Test
  void malformedAnswersBecomeRefusalsNamingTheScheduler() {
    AnnounceResponse badPort = AnnounceResponse.newBuilder().setCandidateParents(CandidateParents.newBuilder()
        .addParents(parent("p", 70000))).build();
    AnnounceResponse badPiece = AnnounceResponse.newBuilder().setBackToSource(BackToSource.newBuilder()
        .setMeta(PeerContentMeta.newBuilder().setContentLength(100).setPieceLength(3))).build();
    AnnounceResponse empty = AnnounceResponse.getDefaultInstance();
    for (AnnounceResponse r : new AnnounceResponse[] {badPort, badPiece}) {
      Decision.Refused d = assertInstanceOf(Decision.Refused.class, GrpcScheduling.checked(r, "10.0.0.9:8002"));
      assertEquals(ErrorCode.INVALID_ARGUMENT, d.code());
      assertTrue(d.message().contains("10.0.0.9:8002"), d.message());
    }
    assertInstanceOf(Decision.Refused.class, GrpcScheduling.checked(empty, "s"));
  }
}
