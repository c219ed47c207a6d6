package io.rayfile.runtime.gc;

import io.rayfile.gc.FileId;
import io.rayfile.gc.GcMessage;
import io.rayfile.gc.JobId;
import io.rayfile.gc.Lifetime;
import io.rayfile.gc.ProcessId;
import io.rayfile.runtime.cluster.Wire;

/**
 * A {@link GcMessage} flattened for the wire: gc-protocol knows nothing of serialization, so this record carries
 * every field any message has, and {@code type} says which.
 */
public record GcWire(String type, long file, long from, long to, long owner, long seq, long version, boolean flag,
    String lifetime, long job, long ttlMillis) implements Wire {

  /** Flattens a message. */
  public static GcWire of(GcMessage m) {
    long file = m.file().value();
    long from = m.from().value();
    long to = m.to().value();
    if (m instanceof GcMessage.Pass p) {
      return new GcWire("pass", file, from, to, p.owner().value(), p.seq(), 0, false, null, 0, 0);
    } else if (m instanceof GcMessage.PassAck a) {
      return new GcWire("pass-ack", file, from, to, 0, a.seq(), a.version(), a.holding(), null, 0, 0);
    } else if (m instanceof GcMessage.Register r) {
      Lifetime l = r.adopt();
      return new GcWire("register", file, from, to, 0, r.seq(), r.version(), false, l == null ? null : l.kind().name(),
          l == null || l.job() == null ? 0 : l.job().value(), l == null ? 0 : l.ttlMillis());
    } else if (m instanceof GcMessage.RegisterReply r) {
      return new GcWire("register-reply", file, from, to, 0, 0, r.version(), r.known(), null, 0, 0);
    } else if (m instanceof GcMessage.Status st) {
      return new GcWire("status", file, from, to, 0, 0, st.version(), st.holding(), null, 0, 0);
    } else if (m instanceof GcMessage.ReleaseAck r) {
      return new GcWire("release-ack", file, from, to, 0, 0, r.version(), false, null, 0, 0);
    } else {
      return new GcWire("query", file, from, to, 0, 0, 0, false, null, 0, 0);
    }
  }

  /**
   * Rebuilds the message.
   *
   * @throws IllegalArgumentException for an unknown type or an invalid lifetime (a message from a newer or broken
   *     peer: dropped by the caller, which is safe because every GC message is re-sent until answered)
   */
  public GcMessage toMessage() {
    FileId f = new FileId(file);
    ProcessId src = new ProcessId(from);
    ProcessId dst = new ProcessId(to);
    return switch (type) {
      case "pass" -> new GcMessage.Pass(f, new ProcessId(owner), src, dst, seq);
      case "pass-ack" -> new GcMessage.PassAck(f, src, dst, seq, flag, version);
      case "register" -> new GcMessage.Register(f, src, dst, seq, version, lifetime == null ? null
          : new Lifetime(Lifetime.Kind.valueOf(lifetime), job == 0 ? null : new JobId(job), ttlMillis));
      case "register-reply" -> new GcMessage.RegisterReply(f, src, dst, version, flag);
      case "status" -> new GcMessage.Status(f, src, dst, flag, version);
      case "release-ack" -> new GcMessage.ReleaseAck(f, src, dst, version);
      case "query" -> new GcMessage.Query(f, src, dst);
      default -> throw new IllegalArgumentException("unknown GC message type '" + type + "'");
    };
  }
}
