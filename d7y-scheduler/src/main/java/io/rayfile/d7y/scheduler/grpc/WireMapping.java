package io.rayfile.d7y.scheduler.grpc;

import io.rayfile.d7y.scheduler.SchedulerException;
import io.rayfile.d7y.scheduler.state.ContentMeta;
import io.rayfile.d7y.scheduler.state.ContentRef;
import io.rayfile.d7y.scheduler.state.ContentSnapshot;
import io.rayfile.d7y.scheduler.state.Decision;
import io.rayfile.d7y.scheduler.state.HeldContent;
import io.rayfile.d7y.scheduler.state.HostInfo;
import io.rayfile.d7y.scheduler.state.Locality;
import io.rayfile.d7y.scheduler.state.ParentOffer;
import io.rayfile.d7y.scheduler.state.PeerSnapshot;
import io.rayfile.d7y.scheduler.state.PeerState;
import io.rayfile.d7y.scheduler.state.Registration;
import io.rayfile.proto.v1.AnnounceResponse;
import io.rayfile.proto.v1.BackToSource;
import io.rayfile.proto.v1.CandidateParents;
import io.rayfile.proto.v1.EmptyContent;
import io.rayfile.proto.v1.ErrorDetail;
import io.rayfile.proto.v1.ParentCandidate;
import io.rayfile.proto.v1.PeerContentMeta;
import io.rayfile.proto.v1.PeerDownloadState;
import io.rayfile.proto.v1.PeerHost;
import io.rayfile.proto.v1.PeerStat;
import io.rayfile.proto.v1.RegisterPeerRequest;
import io.rayfile.proto.v1.StatContentResponse;
import io.rayfile.proto.v1.WaitForParents;
import com.google.protobuf.ByteString;
import java.util.BitSet;

/** Wire <-> domain. Every wire value is validated on the way in (the domain records' constructors check). */
final class WireMapping {
  /** Bitmaps longer than this (2^24 pieces) are rejected before decoding. */
  static final int MAX_BITMAP_BYTES = 1 << 21;

  private WireMapping() {}

  static Registration registration(RegisterPeerRequest r) {
    if (!r.hasHost()) {
      throw SchedulerException.invalid("register needs host (host id, ip, data port)");
    }
    ContentRef ref = ContentRef.parse(r.getContentId());
    if (r.getFinishedPieces().size() > MAX_BITMAP_BYTES) {
      throw SchedulerException.invalid("finished_pieces bitmap is " + r.getFinishedPieces().size()
          + " bytes; at most " + MAX_BITMAP_BYTES + " are accepted");
    }
    BitSet pieces = BitSet.valueOf(r.getFinishedPieces().toByteArray());
    return new Registration(ref, r.getPeerId(), host(r.getHost()), r.hasMeta() ? meta(r.getMeta()) : null, pieces,
        r.getHasSource(), r.getUrl());
  }

  static HostInfo host(PeerHost h) {
    return new HostInfo(h.getHostId(), h.getHostname(), h.getIp(), h.getDataPort(),
        new Locality(h.getRegion(), h.getZone(), h.getNodepool()), h.getUploadSlots(), h.getUploadBandwidth(),
        h.getSeedHost());
  }

  static PeerHost host(HostInfo h) {
    return PeerHost.newBuilder()
        .setHostId(h.hostId())
        .setHostname(h.hostname())
        .setIp(h.ip())
        .setDataPort(h.dataPort())
        .setRegion(h.locality().region())
        .setZone(h.locality().zone())
        .setNodepool(h.locality().nodepool())
        .setUploadSlots(h.uploadSlots())
        .setUploadBandwidth(h.uploadBandwidth())
        .setSeedHost(h.seedHost())
        .build();
  }

  static ParentCandidate candidate(ParentOffer o) {
    HostInfo h = o.host();
    return ParentCandidate.newBuilder()
        .setPeerId(o.peerId())
        .setHostId(h.hostId())
        .setHostname(h.hostname())
        .setIp(h.ip())
        .setDataPort(h.dataPort())
        .setRegion(h.locality().region())
        .setZone(h.locality().zone())
        .setNodepool(h.locality().nodepool())
        .setIsSeed(o.seed())
        .setFinishedPieceCount(o.finishedPieceCount())
        .setFinishedPieces(ByteString.copyFrom(o.finishedPieces()))
        .setScore(o.score())
        .build();
  }

  static ContentMeta meta(PeerContentMeta m) {
    return new ContentMeta(m.getContentLength(), m.getPieceLength(), m.getPieceCount(), m.getKind());
  }

  static PeerContentMeta meta(ContentMeta m) {
    return PeerContentMeta.newBuilder()
        .setContentLength(m.length())
        .setPieceLength(m.pieceLength())
        .setPieceCount(m.pieceCount())
        .setKind(m.kind())
        .build();
  }

  static HeldContent held(io.rayfile.proto.v1.HeldContent h) {
    ContentRef ref = ContentRef.parse(h.getContentId());
    if (!h.hasMeta()) {
      throw SchedulerException.invalid("held content " + ref + " needs meta (length, piece length, piece count)");
    }
    return new HeldContent(ref, meta(h.getMeta()));
  }

  static AnnounceResponse response(Decision d) {
    AnnounceResponse.Builder b = AnnounceResponse.newBuilder();
    if (d instanceof Decision.Parents p) {
      CandidateParents.Builder c = CandidateParents.newBuilder();
      for (ParentOffer o : p.parents()) {
        c.addParents(candidate(o));
      }
      if (p.meta() != null) {
        c.setMeta(meta(p.meta()));
      }
      b.setCandidateParents(c);
    } else if (d instanceof Decision.BackToSource s) {
      BackToSource.Builder x = BackToSource.newBuilder().setReason(s.reason());
      s.sources().forEach(o -> x.addSources(candidate(o)));
      if (s.meta() != null) {
        x.setMeta(meta(s.meta()));
      }
      b.setBackToSource(x);
    } else if (d instanceof Decision.Empty e) {
      b.setEmptyContent(EmptyContent.newBuilder().setMeta(meta(e.meta())));
    } else if (d instanceof Decision.Wait w) {
      WaitForParents.Builder x = WaitForParents.newBuilder().setReason(w.reason());
      if (w.meta() != null) {
        x.setMeta(meta(w.meta()));
      }
      b.setWait(x);
    } else if (d instanceof Decision.Failure f) {
      b.setError(ErrorDetail.newBuilder().setCode(f.code().name()).setMessage(f.message()));
    }
    return b.build();
  }

  static StatContentResponse stat(ContentSnapshot s) {
    StatContentResponse.Builder b = StatContentResponse.newBuilder()
        .setContentId(s.content().id())
        .setPeerCount(s.peerCount())
        .setSeedCount(s.seedCount())
        .setBackToSourceCount(s.backToSourceCount())
        .setWaitingCount(s.waitingCount());
    if (s.meta() != null) {
      b.setMeta(meta(s.meta()));
    }
    return b.build();
  }

  static PeerStat peer(PeerSnapshot p) {
    return PeerStat.newBuilder()
        .setPeerId(p.peerId())
        .setHost(host(p.host()))
        .setState(state(p.state()))
        .setFinishedPieceCount(p.finishedPieceCount())
        .addAllParentPeerIds(p.parentPeerIds())
        .addAllChildPeerIds(p.childPeerIds())
        .addAllBlocklistPeerIds(p.blocklist())
        .build();
  }

  static PeerDownloadState state(PeerState s) {
    return switch (s) {
      case WAITING -> PeerDownloadState.PEER_DOWNLOAD_STATE_WAITING;
      case RUNNING -> PeerDownloadState.PEER_DOWNLOAD_STATE_RUNNING;
      case BACK_TO_SOURCE -> PeerDownloadState.PEER_DOWNLOAD_STATE_BACK_TO_SOURCE;
      case SUCCEEDED -> PeerDownloadState.PEER_DOWNLOAD_STATE_SUCCEEDED;
      case FAILED -> PeerDownloadState.PEER_DOWNLOAD_STATE_FAILED;
    };
  }
}
