package io.rayfile.d7y.peer.download;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.source.OriginFetcher;
import io.rayfile.d7y.peer.source.OriginPieceResult;
import io.rayfile.d7y.peer.source.OriginReport;
import io.rayfile.d7y.peer.source.OriginRequest;
import io.rayfile.d7y.peer.source.SourceInfo;
import io.rayfile.d7y.peer.source.UrlTask;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.ContentStore;
import io.rayfile.d7y.peer.storage.PieceLayout;
import io.rayfile.d7y.peer.storage.PieceWriter;
import io.rayfile.d7y.peer.transfer.PieceClient;
import io.rayfile.d7y.peer.transfer.PieceSink;
import io.rayfile.d7y.peer.transfer.TransferException;
import io.rayfile.d7y.peer.transfer.WireStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One content being downloaded on this node. An actor: every field is touched only by tasks run on its serial
 * executor, so the piece bookkeeping needs no locks; network callbacks post back to it.
 *
 * <p>Sources, in the order the scheduler allows: pieces already in the store (a resumed download fetches only
 * what is missing), parents (several at once, rarest piece first, an adaptive window each), the origin (when the
 * scheduler answers back-to-source, or when no scheduler answers in time). A parent that sends a bad piece or
 * dies is dropped and blocklisted; its pieces go to others.
 */
final class ContentDownload {
  private static final Logger log = LoggerFactory.getLogger(ContentDownload.class);

  /** The collaborators every download shares. */
  record Context(ContentStore store, PieceClient client, Optional<Scheduling> scheduling,
      Optional<OriginFetcher> origins, DownloadSettings settings, DownloadMetrics metrics, String hostId,
      Executor pool, ScheduledExecutorService timer) {}

  /** Receives progress. */
  interface Progress {
    void update(long doneBytes, long totalBytes);

    /** One piece arrived, from an origin or from a peer (lets a caller tell where its bytes came from). */
    default void received(boolean fromOrigin, int bytes) {}
  }

  /** Contents up to this size commit on the client's light lane (their whole-content hash is quick). */
  static final long LIGHT_CONTENT_BYTES = 8L << 20;

  /** How the scheduler's wait answer ends when no node holds any piece of the content (d7y-scheduler). */
  static final String NO_HOLDER_WAIT = "waiting for a seed";

  private final Context ctx;
  private final DownloadRequest request;
  private final ContentId id;
  private final Executor actor;
  private final CompletableFuture<ContentInfo> result = new CompletableFuture<>();
  private final List<Progress> listeners = new CopyOnWriteArrayList<>();

  private final Optional<SourceInfo> source;
  private PieceLayout layout;
  private ContentKind kind;
  private BitSet finished = new BitSet();
  private final BitSet inFlight = new BitSet();
  private final Map<String, ParentLink> parents = new LinkedHashMap<>();
  private final Set<String> blocklist = new HashSet<>();
  private Scheduling.AnnounceSession session;
  private boolean answered;
  private boolean originRunning;
  private boolean fallenBack;
  private boolean done;
  private String lastDecision = "no answer yet";
  private long startNanos;
  private long announceNanos;
  private long lastProgressNanos;
  private long lastHeartbeatNanos;
  private long lastRescheduleNanos;
  private ScheduledFuture<?> ticker;
  private long lastMoreParentsNanos;

  ContentDownload(Context ctx, DownloadRequest request, Optional<SourceInfo> source) {
    this.ctx = ctx;
    this.request = request;
    this.id = request.id();
    this.source = source;
    this.actor = new SerialExecutor(ctx.pool());
  }

  CompletableFuture<ContentInfo> result() {
    return result;
  }

  void addListener(Progress p) {
    listeners.add(p);
  }

  void start() {
    actor.execute(this::begin);
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  private void begin() {
    try {
      startNanos = System.nanoTime();
      lastProgressNanos = startNanos;
      Optional<ContentInfo> have = ctx.store().stat(id);
      if (have.isPresent() && have.get().complete()) {
        complete(have.get(), "cached");
        return;
      }
      ctx.metrics().downloadStarted();
      if (have.isPresent()) { // resume: what the store holds is never fetched again
        adopt(have.get().layout(), have.get().kind());
      } else if (request.url().isPresent()) {
        UrlTask task = request.url().get();
        adopt(task.layout(source.orElseThrow().length() - task.originOffset()), ContentKind.EXTERNAL);
      }
      if (ctx.scheduling().isEmpty()) {
        fallback("no scheduler is configured");
      } else {
        announce();
      }
      ticker = ctx.timer().scheduleWithFixedDelay(() -> actor.execute(this::tick),
          ctx.settings().tick().toMillis(), ctx.settings().tick().toMillis(), TimeUnit.MILLISECONDS);
      pump();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void announce() {
    AnnounceSpec spec = new AnnounceSpec(request.key(), ctx.hostId() + "/" + UUID.randomUUID(),
        Optional.ofNullable(layout), Optional.ofNullable(kind), finished, request.url().isPresent(),
        request.url().map(u -> u.url().toString()).orElse(""));
    answered = false;
    announceNanos = System.nanoTime();
    session = ctx.scheduling().orElseThrow().announce(spec, d -> actor.execute(() -> onDecision(d)));
  }

  private void tick() {
    if (done) {
      return;
    }
    long now = System.nanoTime();
    try {
      if (session != null && !answered && !fallenBack
          && now - announceNanos > ctx.settings().registerTimeout().toNanos()) {
        fallback("no scheduler answered within " + ctx.settings().registerTimeout().toSeconds() + " s");
      }
      if (session != null && now - lastHeartbeatNanos > 10_000_000_000L) {
        lastHeartbeatNanos = now;
        session.heartbeat();
      }
      // Only the scheduler's "nobody holds it" wait ends early; waiting for a nodepool's origin reader is normal
      // and bounded by the stall timeout instead.
      if (!request.url().isPresent() && parents.isEmpty() && lastDecision.endsWith(NO_HOLDER_WAIT)
          && now - startNanos > 2 * ctx.settings().registerTimeout().toNanos()) {
        throw new PeerException(noHolderCode(), "no node holds " + request.key() + holding() + " (the scheduler "
            + "knows no holder: " + lastDecision + ")");
      }
      if (now - lastProgressNanos > ctx.settings().stallTimeout().toNanos()) {
        throw new PeerException(ErrorCode.UNAVAILABLE, "download of " + request.key() + " made no progress for "
            + ctx.settings().stallTimeout().toSeconds() + " s (" + finished.cardinality() + "/"
            + (layout == null ? "?" : layout.pieceCount()) + " pieces; last scheduler answer: " + lastDecision
            + ")");
      }
      refreshBitmaps(now);
      askForMoreParents(now);
      pump();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /**
   * The scheduler answers a register with the parents that have pieces at that moment (often only the seed); peers
   * that started at the same time become parents a moment later. Asking again while few parents are known lets
   * this peer trade with them instead of loading the seed.
   */
  private void askForMoreParents(long now) {
    if (session == null || !answered || originRunning || layout == null || wanted().isEmpty()
        || parents.size() >= Math.min(4, ctx.settings().maxParents())
        || now - lastMoreParentsNanos < 1_000_000_000L) {
      return;
    }
    lastMoreParentsNanos = now;
    session.reschedule(blocklist, "looking for more parents");
  }

  // ---- scheduler ------------------------------------------------------------------------------------------

  private void onDecision(Decision d) {
    if (done) {
      return;
    }
    try {
      if (d instanceof Decision.Parents p) {
        answered = true;
        lastDecision = p.parents().size() + " parents";
        p.meta().ifPresent(m -> adopt(m.layout(), m.kind().orElse(null)));
        for (ParentInfo info : p.parents()) {
          if (!blocklist.contains(info.peerId()) && parents.size() < ctx.settings().maxParents()) {
            ParentLink link = parents.computeIfAbsent(info.peerId(),
                k -> new ParentLink(info, ctx.settings().initialWindow()));
            info.pieces().ifPresent(b -> link.has = (BitSet) b.clone());
          }
        }
      } else if (d instanceof Decision.BackToSource b) {
        answered = true;
        lastDecision = "back to source: " + b.reason();
        b.meta().ifPresent(m -> adopt(m.layout(), m.kind().orElse(null)));
        ctx.metrics().backToSource();
        if (request.url().isPresent()) {
          startOrigin();
        } else if (b.sources().isEmpty()) {
          throw new PeerException(ErrorCode.UNAVAILABLE, "told to read the origin of " + request.key()
              + " but no node holding it is alive");
        } else {
          for (ParentInfo info : b.sources()) { // a RayFile content's origin: the node(s) holding it
            if (!blocklist.contains(info.peerId())) {
              parents.computeIfAbsent(info.peerId(), k -> new ParentLink(info, ctx.settings().initialWindow()))
                  .origin = true;
            }
          }
        }
      } else if (d instanceof Decision.Empty e) {
        answered = true;
        lastDecision = "empty content";
        adopt(new PieceLayout(0, PieceLayout.MIN_PIECE), e.meta().flatMap(Decision.Meta::kind).orElse(null));
      } else if (d instanceof Decision.Wait w) {
        answered = true;
        lastDecision = "wait: " + w.reason();
      } else if (d instanceof Decision.Refused r) {
        lastDecision = "refused: " + r.message();
        if (!answered) {
          throw new PeerException(r.code(), "the scheduler refused the download of " + request.key() + ": "
              + r.message());
        }
        log.debug("scheduler refused a report for {}: {}", request.key(), r.message());
      } else if (d instanceof Decision.Lost l) {
        lastDecision = "lost: " + l.message();
        if (!answered) {
          fallback(l.message());
        } else {
          // keep the parents we have and register again, with what we hold (never from zero)
          log.warn("announce stream of {} broke ({}); registering again", request.key(), l.message());
          session.close();
          announce();
        }
      }
      pump();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** No scheduler: a URL task reads its origin; a content tries the seeds the caller named. */
  private void fallback(String why) {
    if (fallenBack) {
      return;
    }
    fallenBack = true;
    if (request.url().isPresent()) {
      log.warn("{}; reading {} from its origin", why, request.key());
      ctx.metrics().backToSource();
      startOrigin();
    } else if (!request.seeds().isEmpty()) {
      log.warn("{}; fetching {} from the {} seed(s) the caller named", why, request.key(), request.seeds().size());
      int i = 0;
      for (HostPort seed : request.seeds()) {
        ParentInfo info = new ParentInfo("seed-hint-" + i++, seed, false, Optional.empty());
        ParentLink link = parents.computeIfAbsent(info.peerId(), k -> new ParentLink(info, 1));
        link.nextBitmapNanos = 0; // learn layout, kind and pieces over the data plane
      }
    } else if (parents.isEmpty()) {
      throw new PeerException(ctx.scheduling().isEmpty() ? noHolderCode() : ErrorCode.UNAVAILABLE,
          why + ", and no seed or origin is known for " + request.key() + holding()
              + "; check --scheduler, or that some node holds the content");
    }
  }

  /** NOT_FOUND for a content nobody has; INCOMPLETE when this node holds part of it. */
  private ErrorCode noHolderCode() {
    return finished.isEmpty() ? ErrorCode.NOT_FOUND : ErrorCode.INCOMPLETE;
  }

  private String holding() {
    return finished.isEmpty() ? "" : " (this node holds " + finished.cardinality() + " of "
        + layout.pieceCount() + " pieces)";
  }

  // ---- layout ---------------------------------------------------------------------------------------------

  /** Learns the content's layout (and kind), then opens (or resumes) it in the store. */
  private void adopt(PieceLayout newLayout, ContentKind newKind) {
    if (kind == null && newKind != null) {
      kind = newKind;
    }
    if (layout != null) {
      if (layout.length() != newLayout.length() || layout.pieceLength() != newLayout.pieceLength()) {
        throw new PeerException(ErrorCode.CORRUPT_CONTENT, "sources disagree on the size of " + request.key()
            + ": " + layout + " versus " + newLayout);
      }
      return;
    }
    layout = newLayout;
    ContentInfo info = ctx.store().begin(id, kind == null ? ContentKind.FILE : kind, layout);
    kind = info.kind();
    finished = ctx.store().finishedPieces(id);
    if (session != null) {
      session.meta(layout);
    }
    progress();
  }

  // ---- parents --------------------------------------------------------------------------------------------

  /** Starts as many piece fetches as the parents' windows allow. */
  private void pump() {
    if (done) {
      return;
    }
    if (layout == null) {
      return; // bitmaps (refreshBitmaps) or the scheduler's meta will tell the layout
    }
    if (checkComplete()) {
      return;
    }
    BitSet wanted = wanted();
    if (wanted.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    List<ParentLink> all = new ArrayList<>(parents.values());
    // Ties go in piece order: the content hashes as it lands.
    for (PieceSelector.Assignment a : PieceSelector.plan(wanted, all, p -> p.pausedUntilNanos <= now, now)) {
      fetch(a.parent(), a.piece());
    }
    boolean anyUseful = !inFlight.isEmpty()
        || all.stream().anyMatch(p -> p.pausedUntilNanos > now || p.sendingElsewhere(now));
    if (!anyUseful && answered && !originRunning && session != null
        && now - lastRescheduleNanos > 1_000_000_000L && inFlight.isEmpty()) {
      lastRescheduleNanos = now;
      session.reschedule(blocklist, "no parent has a piece this peer needs");
    }
  }

  private BitSet wanted() {
    BitSet w = new BitSet();
    w.set(0, layout.pieceCount());
    w.andNot(finished);
    w.andNot(inFlight);
    return w;
  }

  private void fetch(ParentLink p, int piece) {
    PieceWriter writer;
    try {
      writer = ctx.store().writePiece(id, piece);
    } catch (PeerException e) {
      log.debug("piece {} of {} cannot be written now: {}", piece, id, e.toString());
      return;
    }
    inFlight.set(piece);
    p.inFlight++;
    long asked = System.nanoTime();
    ctx.client().fetch(p.data, id, piece, PieceSink.of(writer, layout.length() <= LIGHT_CONTENT_BYTES))
        .whenComplete((r, err) -> actor.execute(() -> onPiece(p, piece, asked, err)));
  }

  private void onPiece(ParentLink p, int piece, long askedNanos, Throwable err) {
    inFlight.clear(piece);
    p.inFlight--;
    if (done) {
      return;
    }
    try {
      if (err == null) {
        finished.set(piece);
        int size = layout.size(piece);
        p.delivered(size, System.nanoTime() - askedNanos, layout.pieceLength(), ctx.settings().maxWindow());
        if (p.origin) {
          ctx.metrics().fromOrigin(size);
        } else {
          ctx.metrics().fromPeers(size);
        }
        listeners.forEach(l -> l.received(p.origin, size));
        lastProgressNanos = System.nanoTime();
        if (session != null) {
          session.pieceFinished(piece, p.peerId);
        }
        progress();
      } else {
        onPieceFailure(p, piece, unwrap(err));
      }
      pump();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void onPieceFailure(ParentLink p, int piece, Throwable cause) {
    if (cause instanceof TransferException te && (te.status() == WireStatus.BUSY
        || te.status() == WireStatus.TOO_MANY_REQUESTS)) {
      p.busy(System.nanoTime());
      return;
    }
    if (cause instanceof TransferException te && te.status() == WireStatus.SENDING_ELSEWHERE) {
      p.sendingElsewhere(piece, System.nanoTime());
      return;
    }
    if (cause instanceof TransferException te && (te.status() == WireStatus.PIECE_MISSING)) {
      if (p.has != null) {
        p.has.clear(piece); // its bitmap was stale; ask again later
      }
      return;
    }
    if (ctx.store().stat(id).map(ContentInfo::complete).orElse(false)) {
      return; // another path finished the content meanwhile
    }
    String reason = cause instanceof PeerException pe && pe.code() == ErrorCode.CORRUPT_CONTENT
        ? "corrupt piece (CRC32C mismatch)" : "parent failed: " + cause;
    log.warn("piece {} of {} from {} ({}) failed: {}; dropping that parent", piece, request.key(), p.peerId,
        p.data, reason);
    ctx.metrics().pieceFailed(cause instanceof PeerException pe ? pe.code().name() : "other");
    parents.remove(p.peerId);
    blocklist.add(p.peerId);
    if (session != null) {
      session.pieceFailed(piece, p.peerId, reason);
    }
  }

  /**
   * Half-finished parents gain pieces: ask each for its bitmap every 250 ms, so rarest-first sees what the swarm
   * holds now (one small frame, pipelined behind the pieces on the same connection).
   */
  private void refreshBitmaps(long now) {
    if (layout != null && wanted().isEmpty()) {
      return;
    }
    for (ParentLink p : new ArrayList<>(parents.values())) {
      if (p.bitmapPending || p.nextBitmapNanos > now || (layout != null && p.has == null)) {
        continue;
      }
      p.bitmapPending = true;
      p.nextBitmapNanos = now + 250_000_000L;
      ctx.client().bitmap(p.data, id).whenComplete((b, err) -> actor.execute(() -> {
        p.bitmapPending = false;
        if (done) {
          return;
        }
        try {
          if (err != null) {
            Throwable cause = unwrap(err);
            if (!(cause instanceof TransferException te && te.status() == WireStatus.NOT_FOUND)) {
              onPieceFailure(p, -1, cause);
            }
          } else {
            adopt(b.layout(), b.kind());
            p.has = b.complete() ? null : (BitSet) b.finished().clone();
          }
          pump();
        } catch (RuntimeException e) {
          fail(e);
        }
      }));
    }
  }

  // ---- origin ---------------------------------------------------------------------------------------------

  private void startOrigin() {
    if (originRunning || done) {
      return;
    }
    if (request.url().isEmpty() || ctx.origins().isEmpty()) {
      throw new PeerException(ErrorCode.UNAVAILABLE, "told to read the origin of " + request.key()
          + ", but it has none (a RayFile content's origin is the node that holds it)");
    }
    BitSet missing = wanted();
    if (missing.isEmpty()) {
      return;
    }
    originRunning = true;
    inFlight.or(missing);
    UrlTask task = request.url().get();
    OriginRequest req = OriginRequest.of(task, java.util.Map.of(), source.orElseThrow());
    ctx.origins().get().fetch(req, missing, p -> ctx.store().writePiece(id, p),
            r -> actor.execute(() -> onOriginPiece(r)))
        .whenComplete((report, err) -> actor.execute(() -> onOriginDone(missing, report, err)));
  }

  private void onOriginPiece(OriginPieceResult r) {
    if (done || !r.ok()) {
      return;
    }
    inFlight.clear(r.piece());
    finished.set(r.piece());
    ctx.metrics().fromOrigin(r.length());
    listeners.forEach(l -> l.received(true, r.length()));
    lastProgressNanos = System.nanoTime();
    if (session != null) {
      session.pieceFinished(r.piece(), "");
    }
    progress();
  }

  private void onOriginDone(BitSet asked, OriginReport report, Throwable err) {
    originRunning = false;
    BitSet stillAsked = (BitSet) asked.clone();
    stillAsked.andNot(finished);
    inFlight.andNot(stillAsked);
    if (done) {
      return;
    }
    Throwable cause = err != null ? unwrap(err) : report.firstError().orElse(null);
    if (cause != null) {
      // The origin failed: no partial content is left behind for an external URL.
      fail(cause instanceof PeerException pe ? pe : new PeerException(ErrorCode.UNAVAILABLE,
          "reading the origin of " + request.key() + " failed: " + cause, cause));
      return;
    }
    pump();
  }

  // ---- end ------------------------------------------------------------------------------------------------

  private boolean checkComplete() {
    if (layout == null || finished.cardinality() < layout.pieceCount()) {
      return false;
    }
    ContentInfo info = ctx.store().stat(id).orElseThrow(() -> new PeerException(ErrorCode.CORRUPT_CONTENT,
        "every piece of " + request.key() + " arrived but the store discarded the content (its SHA-256 did "
            + "not match: a parent sent consistent but wrong data)"));
    if (!info.complete()) {
      return false; // the last commit is still hashing; its callback comes back here
    }
    checkExpectedDigest();
    complete(info, "succeeded");
    return true;
  }

  private void checkExpectedDigest() {
    Optional<ContentId> expected = request.url().flatMap(UrlTask::expectedDigest);
    if (expected.isEmpty()) {
      return;
    }
    try (InputStream in = Files.newInputStream(ctx.store().readPiece(id, 0).file())) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      ContentId actual = ContentId.ofDigest(md.digest());
      if (!actual.equals(expected.get())) {
        ctx.store().delete(id, true);
        throw new PeerException(ErrorCode.CORRUPT_CONTENT, "the origin of " + request.key() + " sent bytes whose "
            + "SHA-256 is " + actual + ", not the expected " + expected.get() + "; nothing was kept");
      }
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new PeerException(ErrorCode.IO_ERROR, "cannot check the digest of " + request.key() + ": " + e, e);
    }
  }

  private void complete(ContentInfo info, String how) {
    done = true;
    if (ticker != null) {
      ticker.cancel(false);
    }
    if (session != null) {
      if (!"cached".equals(how)) {
        session.finished(info.layout());
      }
      session.close();
    }
    ctx.metrics().downloadEnded(how);
    long total = info.length();
    listeners.forEach(l -> l.update(total, total));
    log.info("{} {} ({} bytes) in {} ms", how.equals("cached") ? "had" : "downloaded", request.key(), total,
        (System.nanoTime() - startNanos) / 1_000_000);
    result.complete(info);
  }

  private void fail(Throwable t) {
    if (done) {
      return;
    }
    done = true;
    if (ticker != null) {
      ticker.cancel(false);
    }
    PeerException e = t instanceof PeerException pe ? pe
        : new PeerException(ErrorCode.INTERNAL, "download of " + request.key() + " failed: " + t, t);
    if (session != null) {
      session.failed(e.getMessage(), request.url().isPresent() && originRunning);
      session.close();
    }
    if (request.url().isPresent()) {
      try {
        ctx.store().delete(id, true); // an origin failure leaves nothing half-written behind
      } catch (RuntimeException ignored) {
        log.debug("could not remove the partial {}", id);
      }
    }
    ctx.metrics().downloadEnded("failed");
    log.warn("download of {} failed: {}", request.key(), e.getMessage());
    result.completeExceptionally(e);
  }

  private void progress() {
    if (layout == null || listeners.isEmpty()) {
      return;
    }
    long doneBytes = 0;
    for (int p = finished.nextSetBit(0); p >= 0 && p < layout.pieceCount(); p = finished.nextSetBit(p + 1)) {
      doneBytes += layout.size(p);
    }
    long total = layout.length();
    for (Progress l : listeners) {
      l.update(doneBytes, total);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Runs tasks one at a time, in order, on a shared pool: the actor's mailbox. */
  private static final class SerialExecutor implements Executor {
    private final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();
    private final Executor pool;
    private boolean running;

    SerialExecutor(Executor pool) {
      this.pool = pool;
    }

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
      if (!running) {
        running = true;
        pool.execute(this::drain);
      }
    }

    private void drain() {
      while (true) {
        Runnable next;
        synchronized (this) {
          next = tasks.poll();
          if (next == null) {
            running = false;
            return;
          }
        }
        try {
          next.run();
        } catch (RuntimeException e) {
          log.error("download task failed", e);
        }
      }
    }
  }
}
