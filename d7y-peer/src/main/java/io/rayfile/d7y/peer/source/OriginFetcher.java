package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.PieceLayout;
import io.rayfile.d7y.peer.storage.PieceWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills missing pieces of a content from its origin ("back-to-source"), for the download engine.
 *
 * <pre>{@code
 * SourceInfo info = sources.probe(url, headers, timeout);
 * UrlTask task = UrlTask.of(url, Optional.empty(), PieceLayout.defaultPieceLength(info.length()));
 * OriginRequest req = OriginRequest.of(task, headers, info);
 * store.begin(id, ContentKind.FILE, req.layout());
 * OriginReport report = fetcher.fetch(req, missing, p -> store.writePiece(id, p), r -> announce(r)).join();
 * }</pre>
 *
 * <p>With an origin that serves ranges, each piece is one range request, at most
 * {@link OriginFetchSettings#parallelism()} at a time, lowest pieces first. Each piece streams into the
 * {@link PieceWriter} the supplied function opens for it while its CRC32C is computed, then is committed with that
 * CRC; a piece that fails for any reason is aborted, so nothing of it counts as finished. An origin that does not
 * serve ranges (the probe said so, or it answered a range with the whole body too far in, see
 * {@link RangesIgnoredException}) is read in one sequential stream instead, cut into pieces on the way, bytes of
 * pieces not asked for dropped.
 *
 * <p>After the first failed piece no new piece is started (those in flight finish); the pieces never started are
 * reported failed with the same code, saying so. Retrying (here or from peers) is the engine's decision: it calls
 * again with what is still missing. Range requests carry {@link SourceInfo#unchangedConditions()}, so an origin
 * whose content changed since the probe fails the fetch (CORRUPT_CONTENT) instead of mixing old and new bytes.
 *
 * <p>Cancelling the returned future stops the fetch: no new piece starts, and pieces in flight are aborted when
 * their next bytes arrive (or, if the origin sends none, at the stall timeout).
 */
public final class OriginFetcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OriginFetcher.class);

  private final SourceBackend sources;
  private final OriginFetchSettings settings;
  private final ExecutorService executor;
  private final LongAdder bytesFromOrigin = new LongAdder();

  public OriginFetcher(SourceBackend sources, OriginFetchSettings settings) {
    this.sources = Objects.requireNonNull(sources, "sources");
    this.settings = Objects.requireNonNull(settings, "settings");
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "rayfile-origin-fetch-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Piece bytes received from origins by this fetcher so far (a metric). */
  public long bytesFromOrigin() {
    return bytesFromOrigin.sum();
  }

  /**
   * Fetches {@code pieces} of {@code request.layout()} from the origin.
   *
   * @param writers opens the writer of a piece (normally {@code p -> store.writePiece(id, p)}); a failure to open
   *     one fails that piece only
   * @param onPiece called with each piece's result as soon as it is known (committed or failed), from a fetch
   *     thread; keep it short
   * @return completes (never exceptionally, unless cancelled) with one result per requested piece
   */
  public CompletableFuture<OriginReport> fetch(OriginRequest request, BitSet pieces, IntFunction<PieceWriter> writers,
      Consumer<OriginPieceResult> onPiece) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(writers, "writers");
    Objects.requireNonNull(onPiece, "onPiece");
    int count = request.layout().pieceCount();
    if (pieces.length() > count) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "piece " + (pieces.length() - 1) + " was asked of "
          + UrlTask.redact(request.url()) + ", which has " + count + " pieces");
    }
    Job job = new Job(request, (BitSet) pieces.clone(), writers, onPiece);
    try {
      job.start();
    } catch (RejectedExecutionException e) {
      throw new PeerException(ErrorCode.UNAVAILABLE, "the origin fetcher is closed", e);
    }
    return job.future;
  }

  /** Stops every fetch in flight (their pieces are aborted) and the fetch threads. */
  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** One {@link #fetch} call. */
  private final class Job {
    final OriginRequest request;
    final BitSet pieces;
    final IntFunction<PieceWriter> writers;
    final Consumer<OriginPieceResult> onPiece;
    final Map<String, String> headers;
    final PieceLayout layout;
    final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    final ConcurrentHashMap<Integer, OriginPieceResult> results = new ConcurrentHashMap<>();
    final LongAdder bytes = new LongAdder();
    final AtomicReference<OriginPieceResult> firstFailure = new AtomicReference<>();
    final AtomicInteger running = new AtomicInteger();
    final BitSet rangesIgnored = new BitSet(); // guarded by itself
    final CompletableFuture<OriginReport> future = new CompletableFuture<>();
    volatile boolean streamedWhole;

    Job(OriginRequest request, BitSet pieces, IntFunction<PieceWriter> writers, Consumer<OriginPieceResult> onPiece) {
      this.request = request;
      this.pieces = pieces;
      this.writers = writers;
      this.onPiece = onPiece;
      this.layout = request.layout();
      Map<String, String> h = new HashMap<>(request.headers());
      request.info().unchangedConditions().forEach((k, v) -> {
        if (h.keySet().stream().noneMatch(k::equalsIgnoreCase)) {
          h.put(k, v);
        }
      });
      this.headers = Map.copyOf(h);
    }

    void start() {
      if (pieces.isEmpty()) {
        finish();
        return;
      }
      if (!request.info().rangesSupported()) {
        executor.execute(() -> runStream(pieces));
        return;
      }
      pieces.stream().forEach(queue::add);
      int workers = Math.min(settings.parallelism(), pieces.cardinality());
      running.set(workers);
      for (int i = 0; i < workers; i++) {
        executor.execute(this::runRanges);
      }
    }

    // ------------------------------------------------------------ one range request per piece

    private void runRanges() {
      try {
        Integer p;
        while (!stopped() && (p = queue.poll()) != null) {
          fetchPiece(p);
        }
      } catch (Throwable t) {
        log.error("origin fetch worker of {} died", UrlTask.redact(request.url()), t);
      } finally {
        if (running.decrementAndGet() == 0) {
          afterRanges();
        }
      }
    }

    private boolean stopped() {
      return future.isDone() || firstFailure.get() != null;
    }

    private void fetchPiece(int p) {
      long t0 = System.nanoTime();
      int size = layout.size(p);
      CRC32C crc = new CRC32C();
      long[] got = {0};
      PieceWriter writer;
      try {
        writer = writers.apply(p);
      } catch (RuntimeException e) {
        record(OriginPieceResult.failed(p, 0, since(t0), asPeer(e, p)));
        return;
      }
      try {
        sources.fetchRange(request.url(), headers, request.originOffset() + layout.offset(p), size, chunk -> {
          checkCancelled();
          int n = chunk.remaining();
          crc.update(chunk.duplicate());
          writer.write(chunk);
          got[0] += n;
          bytes.add(n);
          bytesFromOrigin.add(n);
        }, settings.stallTimeout());
        writer.commit((int) crc.getValue());
        record(OriginPieceResult.ok(p, size, (int) crc.getValue(), since(t0)));
      } catch (RangesIgnoredException e) {
        writer.abort();
        synchronized (rangesIgnored) {
          rangesIgnored.set(p);
        }
        queue.clear(); // the rest goes through one stream, see afterRanges
        log.info("{}; streaming the rest of it in one pass", e.getMessage());
      } catch (RuntimeException e) {
        writer.abort();
        record(OriginPieceResult.failed(p, (int) got[0], since(t0), asPeer(e, p)));
      }
    }

    /** Every range worker is done: stream what an origin ignoring ranges left, fail what was never started. */
    private void afterRanges() {
      BitSet rest;
      synchronized (rangesIgnored) {
        rest = (BitSet) rangesIgnored.clone();
      }
      if (!rest.isEmpty() && firstFailure.get() == null && !future.isDone()) {
        BitSet remaining = (BitSet) pieces.clone();
        results.keySet().forEach(remaining::clear);
        runStream(remaining);
        return;
      }
      finish();
    }

    // ------------------------------------------------------------ one sequential stream

    private void runStream(BitSet wanted) {
      streamedWhole = true;
      try {
        int lastPiece = wanted.length() - 1;
        // From the content's start: an origin ignoring ranges sends everything before the first wanted piece anyway,
        // and asking from further in would only meet the backend's skip limit.
        long start = 0;
        long end = layout.offset(lastPiece) + layout.size(lastPiece);
        StreamSink sink = new StreamSink(wanted, start);
        try {
          sources.fetchRange(request.url(), headers, request.originOffset() + start, end - start, sink,
              settings.stallTimeout());
          sink.endOfStream(null);
        } catch (RuntimeException e) {
          sink.endOfStream(e);
        }
      } catch (Throwable t) {
        log.error("origin stream of {} failed unexpectedly", UrlTask.redact(request.url()), t);
      } finally {
        finish();
      }
    }

    /** Cuts one sequential stream into pieces: writes the wanted ones, drops the others' bytes. */
    private final class StreamSink implements RangeSink {
      private final BitSet wanted;
      private long pos;
      private int piece;
      private PieceWriter writer;
      private boolean writerFailed;
      private final CRC32C crc = new CRC32C();
      private long pieceStart = System.nanoTime();
      private int pieceBytes;

      StreamSink(BitSet wanted, long start) {
        this.wanted = wanted;
        this.pos = start;
        this.piece = (int) (start / layout.pieceLength());
      }

      @Override
      public void accept(ByteBuffer chunk) {
        checkCancelled();
        while (chunk.hasRemaining()) {
          long pieceEnd = layout.offset(piece) + layout.size(piece);
          if (pos == layout.offset(piece) && wanted.get(piece) && writer == null && !writerFailed) {
            open();
          }
          int take = (int) Math.min(chunk.remaining(), pieceEnd - pos);
          ByteBuffer slice = chunk.slice(chunk.position(), take);
          bytes.add(take);
          bytesFromOrigin.add(take);
          if (writer != null) {
            crc.update(slice.duplicate());
            pieceBytes += take;
            try {
              writer.write(slice);
            } catch (RuntimeException e) {
              failCurrent(e);
            }
          }
          chunk.position(chunk.position() + take);
          pos += take;
          if (pos == pieceEnd) {
            if (writer != null) {
              PieceWriter w = writer;
              writer = null;
              try {
                w.commit((int) crc.getValue());
                record(OriginPieceResult.ok(piece, pieceBytes, (int) crc.getValue(), since(pieceStart)));
              } catch (RuntimeException e) {
                w.abort();
                record(OriginPieceResult.failed(piece, pieceBytes, since(pieceStart), asPeer(e, piece)));
              }
            }
            piece++;
            writerFailed = false;
          }
        }
      }

      private void open() {
        pieceStart = System.nanoTime();
        pieceBytes = 0;
        crc.reset();
        try {
          writer = writers.apply(piece);
        } catch (RuntimeException e) {
          writerFailed = true;
          record(OriginPieceResult.failed(piece, 0, since(pieceStart), asPeer(e, piece)));
        }
      }

      private void failCurrent(RuntimeException e) {
        writer.abort();
        writer = null;
        writerFailed = true;
        record(OriginPieceResult.failed(piece, pieceBytes, since(pieceStart), asPeer(e, piece)));
      }

      /** The stream ended, normally ({@code error == null}) or not: abort the piece in progress. */
      void endOfStream(RuntimeException error) {
        if (writer != null) {
          writer.abort();
          writer = null;
          PeerException e = error != null ? asPeer(error, piece) : new PeerException(ErrorCode.CORRUPT_CONTENT,
              "the origin stream of " + UrlTask.redact(request.url()) + " ended inside piece " + piece);
          record(OriginPieceResult.failed(piece, pieceBytes, since(pieceStart), e));
        } else if (error != null && firstFailure.get() == null) {
          // failed before or between pieces: charge it to the next wanted piece so the cause is reported
          int p = wanted.nextSetBit(piece);
          while (p >= 0 && results.containsKey(p)) {
            p = wanted.nextSetBit(p + 1);
          }
          if (p >= 0) {
            record(OriginPieceResult.failed(p, 0, Duration.ZERO, asPeer(error, p)));
          }
        }
      }
    }

    // ------------------------------------------------------------ bookkeeping

    private void checkCancelled() {
      if (future.isCancelled()) {
        throw new CancellationException("origin fetch of " + UrlTask.redact(request.url()) + " was cancelled");
      }
    }

    private void record(OriginPieceResult r) {
      if (results.putIfAbsent(r.piece(), r) != null) {
        return;
      }
      if (!r.ok()) {
        firstFailure.compareAndSet(null, r);
      }
      try {
        onPiece.accept(r);
      } catch (RuntimeException e) {
        log.warn("origin piece listener failed on piece {}", r.piece(), e);
      }
    }

    private void finish() {
      if (future.isDone()) {
        return;
      }
      OriginPieceResult cause = firstFailure.get();
      List<OriginPieceResult> all = new ArrayList<>(pieces.cardinality());
      for (int p = pieces.nextSetBit(0); p >= 0; p = pieces.nextSetBit(p + 1)) {
        OriginPieceResult r = results.get(p);
        if (r == null) {
          PeerException why = cause == null
              ? new PeerException(ErrorCode.INTERNAL, "piece " + p + " of " + UrlTask.redact(request.url())
                  + " was never fetched, for no known reason")
              : new PeerException(cause.error().orElseThrow().code(), "piece " + p + " not fetched: the origin "
                  + "fetch stopped after piece " + cause.piece() + " failed: " + cause.error().orElseThrow()
                      .getMessage());
          r = OriginPieceResult.failed(p, 0, Duration.ZERO, why);
          record(r);
        }
        all.add(r);
      }
      future.complete(new OriginReport(all, bytes.sum(), streamedWhole));
    }

    private PeerException asPeer(RuntimeException e, int p) {
      if (e instanceof PeerException pe) {
        return pe;
      }
      if (e instanceof CancellationException) {
        return new PeerException(ErrorCode.UNAVAILABLE, e.getMessage(), e);
      }
      return new PeerException(ErrorCode.INTERNAL, "piece " + p + " of " + UrlTask.redact(request.url())
          + " failed unexpectedly: " + e, e);
    }
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
