package io.rayfile.examples.media;

import io.rayfile.api.FileRef;
import io.rayfile.api.NodeInfo;
import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import io.rayfile.api.RayFileException.Code;
import io.rayfile.api.RayFileRuntime;
import io.rayfile.api.TaskOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The media pipeline, driven over any {@link RayFileRuntime} through the public API only.
 *
 * <p>Stages, each timed (wall time from first submission to last result):
 * <ol>
 *   <li>{@code locate}: put a probe file and run {@link MediaTasks#nodeOf} on it, to learn the driver's node.
 *   <li>{@code generate}: {@link MediaTasks#generate} makes every input on a node other than the driver's (round
 *       robin), as production media live on other machines.
 *   <li>{@code download}: the driver fetches every input, small ones {@code fetchConcurrency} at a time, then large
 *       ones one at a time: each fetch is timed, and these times make the stress table (the audio-extraction
 *       download profile).
 *   <li>{@code probe}: the driver reads each input's duration and streams (the expected values of the checks).
 *   <li>{@code split}, {@code audio}, {@code transcode}, {@code thumbnails}: RayFile tasks; a video longer than
 *       {@code segmentSeconds} is split, and its rendition is transcoded from the segments.
 *   <li>{@code index}: per input, {@link MediaTasks#writeIndex} downloads its outputs and indexes them; {@link
 *       MediaTasks#mergeIndex} merges those pairwise, as a tree, into one {@code index.jsonl}.
 *   <li>{@code collect}: the driver fetches every output (timed: the output table) and the index.
 *   <li>{@code verify}: the driver checks every output with ffmpeg ({@link PipelineSettings.Verify}) and the index
 *       against the files.
 *   <li>{@code release}: every handle and ref the run made is closed, also when a stage failed.
 * </ol>
 *
 * <pre>{@code
 * try (RayFileRuntime rt = RayFile.local(3)) {
 *   PipelineReport r = MediaPipeline.run(rt, PipelineSettings.forScale(0.05, outDir).verify(Verify.FULL));
 *   System.out.println(r.stress().toJson());
 * }
 * }</pre>
 */
public final class MediaPipeline {
  private final RayFileRuntime rt;
  private final PipelineSettings settings;
  private final LongSupplier nanoClock;
  // Every handle and ref the run opened, closed newest first at the end.
  private final Deque<AutoCloseable> handles = new ArrayDeque<>();
  private final List<PipelineReport.StageTiming> stages = new ArrayList<>();
  private final List<PipelineReport.Download> downloads = Collections.synchronizedList(new ArrayList<>());
  private final List<String> failures = new ArrayList<>();
  private int verified;

  /** One input and everything made from it. */
  private static final class Source {
    final MediaSpec spec;
    FileRef input;
    Path local;
    MediaInfo info;
    FileRef segments;
    FileRef audio;
    FileRef rendition;
    FileRef thumbnails;
    final Map<String, Path> fetched = new HashMap<>();

    Source(MediaSpec spec) {
      this.spec = spec;
    }

    String name() {
      return spec.name();
    }
  }

  /** A ref to wait for or fetch, with what to call it in messages and reports. */
  private record Item(String source, String kind, FileRef ref) {}

  MediaPipeline(RayFileRuntime rt, PipelineSettings settings, LongSupplier nanoClock) {
    this.rt = rt;
    this.settings = settings;
    this.nanoClock = nanoClock;
  }

  /**
   * Runs the pipeline on {@code rt} and returns what it measured. Every handle it made is released before it
   * returns, whether it succeeded or not; the index is copied to {@code settings.outputDir()} first.
   *
   * @throws RayFileException when a stage fails or runs out of time; the message names the stage and the input
   */
  public static PipelineReport run(RayFileRuntime rt, PipelineSettings settings) {
    return new MediaPipeline(rt, settings, System::nanoTime).run();
  }

  PipelineReport run() {
    PipelineReport partial;
    try {
      partial = execute();
    } catch (RuntimeException | Error e) {
      try {
        release();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    int released = timed("release", handles.size(), this::release);
    return new PipelineReport(partial.driverNode(), partial.nodes(), partial.ffmpeg(), partial.inputs(),
        partial.inputBytes(), stages, partial.stress(), partial.outputStress(), downloads, verified, failures,
        partial.index(), partial.indexEntries(), released, Map.of());
  }

  private PipelineReport execute() {
    Path out = settings.outputDir();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new MediaException(Code.INVALID_ARGUMENT, "cannot create the output directory " + out + ": " + e, e);
    }
    List<Source> sources = new ArrayList<>();
    List<MediaSpec> order = new ArrayList<>(settings.inputs());
    Collections.shuffle(order, new Random(settings.shuffleSeed()));
    order.forEach(spec -> sources.add(new Source(spec)));
    TaskOptions base = TaskOptions.defaults().maxRetries(settings.maxRetries());
    TaskOptions stage = settings.spreadStages() ? base.spread() : base;

    String driverNode = timed("locate", 1, () -> locateDriverNode(base));
    List<NodeInfo> nodes = rt.nodes();
    List<String> makers = nodes.stream().map(NodeInfo::id).filter(id -> !id.equals(driverNode)).sorted().toList();
    if (makers.isEmpty()) {
      makers = nodes.stream().map(NodeInfo::id).sorted().toList();
    }
    if (makers.isEmpty()) {
      throw new MediaException(Code.UNAVAILABLE, "the cluster has no nodes to run tasks on");
    }

    List<String> targets = makers;
    timed("generate", sources.size(), () -> {
      for (int i = 0; i < sources.size(); i++) {
        Source s = sources.get(i);
        s.input = track(rt.task(MediaTasks::generate, s.spec).options(base.onNode(targets.get(i % targets.size())))
            .remote());
      }
      awaitAll("generate", sources.stream().map(s -> new Item(s.name(), "input", s.input)).toList());
      return null;
    });
    long inputBytes = sources.stream().mapToLong(s -> s.input.get().size()).sum();

    timed("download", sources.size(), () -> {
      Map<Item, Path> got = fetchAll("download", sources.stream().map(s -> new Item(s.name(), "input", s.input))
          .toList());
      got.forEach((item, path) -> find(sources, item.source()).local = path);
      return null;
    });
    StressTable stress = StressTable.of(samples("input"));

    timed("probe", sources.size(), () -> {
      sources.forEach(s -> s.info = Ffmpeg.get().probe(s.local));
      return null;
    });

    List<Source> longOnes = sources.stream().filter(s -> s.info.seconds() > settings.segmentSeconds()).toList();
    timed("split", longOnes.size(), () -> {
      for (Source s : longOnes) {
        s.segments = track(rt.task(MediaTasks::splitSegments, s.input, settings.segmentSeconds()).options(stage)
            .remote());
      }
      awaitAll("split", longOnes.stream().map(s -> new Item(s.name(), "segments", s.segments)).toList());
      return null;
    });
    timed("audio", sources.size(), () -> {
      for (Source s : sources) {
        s.audio = track(rt.task(MediaTasks::extractAudio, s.input, settings.audioFormat()).options(stage).remote());
      }
      awaitAll("audio", sources.stream().map(s -> new Item(s.name(), "audio", s.audio)).toList());
      return null;
    });
    timed("transcode", sources.size(), () -> {
      for (Source s : sources) {
        Object video = s.segments != null ? s.segments : s.input;
        s.rendition = track(rt.task(MediaTasks::transcode, video, settings.renditionHeight()).options(stage)
            .remote());
      }
      awaitAll("transcode", sources.stream().map(s -> new Item(s.name(), "rendition", s.rendition)).toList());
      return null;
    });
    timed("thumbnails", sources.size(), () -> {
      for (Source s : sources) {
        s.thumbnails = track(rt.task(MediaTasks::thumbnails, s.input, settings.thumbnailCount()).options(stage)
            .remote());
      }
      awaitAll("thumbnails", sources.stream().map(s -> new Item(s.name(), "thumbnails", s.thumbnails)).toList());
      return null;
    });

    List<FileRef> indexRefs = new ArrayList<>();
    FileRef index = timed("index", 2 * sources.size() - 1, () -> {
      List<FileRef> level = new ArrayList<>();
      for (Source s : sources) {
        level.add(track(rt.task(MediaTasks::writeIndex, s.name(), s.audio, s.rendition, s.thumbnails).options(stage)
            .remote()));
      }
      indexRefs.addAll(level);
      // A tree of pairwise merges, submitted at once: each runs as soon as its two inputs exist.
      while (level.size() > 1) {
        List<FileRef> next = new ArrayList<>();
        for (int i = 0; i + 1 < level.size(); i += 2) {
          next.add(track(rt.task(MediaTasks::mergeIndex, level.get(i), level.get(i + 1)).options(stage).remote()));
        }
        if (level.size() % 2 == 1) {
          next.add(level.get(level.size() - 1));
        }
        indexRefs.addAll(next);
        level = next;
      }
      awaitAll("index", indexRefs.stream().distinct().map(r -> new Item("index", "index", r)).toList());
      return level.get(0);
    });

    Path indexCopy = out.resolve("index.jsonl");
    timed("collect", 0, () -> {
      List<Item> items = new ArrayList<>();
      for (Source s : sources) {
        if (s.segments != null) {
          items.add(new Item(s.name(), "segments", s.segments));
        }
        items.add(new Item(s.name(), "audio", s.audio));
        items.add(new Item(s.name(), "rendition", s.rendition));
        items.add(new Item(s.name(), "thumbnails", s.thumbnails));
      }
      items.add(new Item("index", "index", index));
      Map<Item, Path> got = fetchAll("collect", items);
      got.forEach((item, path) -> {
        if (item.kind().equals("index")) {
          copy(path, indexCopy);
        } else {
          find(sources, item.source()).fetched.put(item.kind(), path);
        }
      });
      return null;
    });
    StressTable outputStress = StressTable.of(samples(null));

    List<IndexEntry> entries = read(indexCopy);
    timed("verify", sources.size(), () -> {
      if (settings.verify() != PipelineSettings.Verify.NONE) {
        sources.forEach(s -> verify(s, entries));
      }
      return null;
    });
    return new PipelineReport(driverNode, nodes.size(), Ffmpeg.get().source(), sources.size(), inputBytes, stages,
        stress, outputStress, downloads, verified, failures, indexCopy, entries.size(), 0, Map.of());
  }

  /** Puts a probe file and asks a locality-placed task where it ran: the node that holds the driver's puts. */
  private String locateDriverNode(TaskOptions base) {
    Path probe = settings.outputDir().resolve(".rayfile-probe-" + UUID.randomUUID());
    try {
      Files.writeString(probe, "where is the driver? " + probe.getFileName(), StandardCharsets.UTF_8);
      RayFile file = track(rt.put(probe));
      FileRef where = track(rt.task(MediaTasks::nodeOf, file).options(base).remote());
      awaitAll("locate", List.of(new Item("probe", "node", where)));
      Path answer = await(where.fetch(), "locate", "probe");
      return Files.readString(answer, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new MediaException(Code.INTERNAL, "locate: cannot write or read the probe file " + probe + ": " + e, e);
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // The probe is a few bytes in the driver's own output directory.
      }
    }
  }

  private void verify(Source s, List<IndexEntry> entries) {
    boolean full = settings.verify() == PipelineSettings.Verify.FULL;
    double seconds = s.info.seconds();
    double tolerance = Math.max(0.5, seconds * 0.03);
    check(s, "audio", () -> {
      Path a = s.fetched.get("audio");
      MediaInfo i = inspect(a, full);
      require(i.hasAudio() && !i.hasVideo(), "streams " + i.streams() + ", expected audio only");
      require(Math.abs(i.seconds() - seconds) <= tolerance, "duration " + i.seconds() + " s, input " + seconds);
    });
    check(s, "rendition", () -> {
      MediaInfo i = inspect(s.fetched.get("rendition"), full);
      int expected = Math.min(settings.renditionHeight(), s.info.height());
      expected -= expected % 2;
      require(i.height() == expected, "height " + i.height() + ", expected " + expected);
      require(i.hasAudio() == s.info.hasAudio(), "audio stream " + i.hasAudio() + ", input " + s.info.hasAudio());
      require(Math.abs(i.seconds() - seconds) <= tolerance, "duration " + i.seconds() + " s, input " + seconds);
    });
    check(s, "thumbnails", () -> {
      List<Path> stills = files(s.fetched.get("thumbnails"));
      require(stills.size() == settings.thumbnailCount(), stills.size() + " stills, expected "
          + settings.thumbnailCount());
      for (Path p : stills) {
        MediaInfo i = inspect(p, full);
        require(i.hasVideo() && i.height() <= 180, p.getFileName() + ": " + i.streams());
      }
    });
    if (s.segments != null) {
      check(s, "segments", () -> {
        List<Path> parts = files(s.fetched.get("segments"));
        require(parts.size() >= 2, parts.size() + " segments of a " + seconds + " s video");
        double sum = 0;
        for (Path p : parts) {
          sum += inspect(p, full).seconds();
        }
        require(Math.abs(sum - seconds) <= tolerance, "segments last " + sum + " s, input " + seconds);
      });
    }
    check(s, "index", () -> {
      List<IndexEntry> mine = entries.stream().filter(e -> e.source().equals(s.name())).toList();
      require(mine.size() == 2 + settings.thumbnailCount(), mine.size() + " index entries, expected "
          + (2 + settings.thumbnailCount()));
      // Matched by output and path inside it: the fetched copy's own name is the runtime's business.
      Map<String, Path> byKey = new HashMap<>();
      byKey.put("audio", s.fetched.get("audio"));
      byKey.put("rendition", s.fetched.get("rendition"));
      Path thumbs = s.fetched.get("thumbnails");
      for (Path f : files(thumbs)) {
        byKey.put("thumbnail/" + thumbs.relativize(f).toString().replace('\\', '/'), f);
      }
      for (IndexEntry e : mine) {
        String key = e.output().equals("thumbnail") ? "thumbnail/" + e.name().substring(e.name().indexOf('/') + 1)
            : e.output();
        Path f = byKey.get(key);
        require(f != null, "index names " + e.output() + " " + e.name() + ", which is not among the outputs "
            + byKey.keySet());
        require(Files.size(f) == e.bytes(), e.name() + ": index says " + e.bytes() + " bytes, file has "
            + Files.size(f));
        if (full) {
          require(MediaTasks.sha256(f).equals(e.sha256()), e.name() + ": sha256 differs from the index");
        }
      }
    });
  }

  private MediaInfo inspect(Path p, boolean full) {
    verified++;
    if (full) {
      Ffmpeg.get().validate(p);
    }
    return Ffmpeg.get().probe(p);
  }

  /** A check that fails with a message. */
  @FunctionalInterface
  private interface Check {
    void run() throws IOException;
  }

  private void check(Source s, String output, Check c) {
    try {
      c.run();
    } catch (IOException | RuntimeException e) {
      failures.add(s.name() + " " + output + ": " + e.getMessage());
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new MediaException(Code.INTERNAL, message);
    }
  }

  /** The files of an output: itself, or a directory's regular files in name order. */
  private static List<Path> files(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return List.of(p);
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** Waits for every ref, within the stage's time; a failed task fails the stage, naming the input. */
  private void awaitAll(String stage, List<Item> items) {
    long deadline = nanoClock.getAsLong() + settings.stageTimeout().toNanos();
    for (Item item : items) {
      long left = Math.max(0, deadline - nanoClock.getAsLong());
      try {
        item.ref().get(Duration.ofNanos(left));
      } catch (RayFileException e) {
        throw stageFailed(stage, item, e);
      }
    }
  }

  /** Items at least this large fetch in their own lane, one at a time, after the small ones. */
  static final long LARGE_FETCH_BYTES = 64L << 20;

  /**
   * Fetches every item, timing each from its fetch call to its local path; the times go to {@link #downloads}.
   * Shortest job first, as a size-aware download scheduler does: small items {@code fetchConcurrency} at once, then
   * large ones (>= {@link #LARGE_FETCH_BYTES}) one at a time. Mixed in one lane, a 1 MiB clip queued behind three
   * gigabyte files on the same parent connections, and three large files sharing the link each got a third of it.
   * Beside a large download (two lanes at once), a clip still took 91-135 ms at the median on 2 cores: the large
   * transfer keeps both cores busy, and every hop of the small fetch waits for one. The small lane takes about a
   * second, so the large files start barely later and no longer share the machine with 70 small fetches.
   */
  private Map<Item, Path> fetchAll(String stage, List<Item> items) {
    long deadline = nanoClock.getAsLong() + settings.stageTimeout().toNanos();
    Map<Item, CompletableFuture<Path>> pending = new java.util.concurrent.ConcurrentHashMap<>();
    List<Item> large = items.stream().filter(i -> i.ref().get().size() >= LARGE_FETCH_BYTES).toList();
    List<Item> small = items.stream().filter(i -> i.ref().get().size() < LARGE_FETCH_BYTES)
        .sorted(java.util.Comparator.comparingLong(i -> i.ref().get().size())).toList();
    fetchLane(stage, small, new Semaphore(settings.fetchConcurrency()), deadline, pending);
    for (Item item : small) {
      await(pending.get(item), stage, item.source(), deadline);
    }
    fetchLane(stage, large, new Semaphore(1), deadline, pending);
    Map<Item, Path> result = new java.util.LinkedHashMap<>();
    for (Item item : items) {
      result.put(item, await(pending.get(item), stage, item.source(), deadline));
    }
    return result;
  }

  private void fetchLane(String stage, List<Item> items, Semaphore slots, long deadline,
      Map<Item, CompletableFuture<Path>> pending) {
    for (Item item : items) {
      long bytes = item.ref().get().size();
      String name = item.ref().get().name();
      acquire(slots, deadline, stage, item);
      long start = nanoClock.getAsLong();
      CompletableFuture<Path> f;
      try {
        f = item.ref().fetch();
      } catch (RuntimeException e) {
        slots.release();
        throw stageFailed(stage, item, e);
      }
      pending.put(item, f.whenComplete((path, error) -> {
        if (error == null) {
          downloads.add(new PipelineReport.Download(name, item.kind(), bytes,
              (nanoClock.getAsLong() - start) / 1e9));
        }
        slots.release();
      }));
    }
  }

  private void acquire(Semaphore slots, long deadline, String stage, Item item) {
    try {
      if (!slots.tryAcquire(Math.max(0, deadline - nanoClock.getAsLong()), TimeUnit.NANOSECONDS)) {
        throw new MediaException(Code.TIMED_OUT, stage + ": downloads did not finish within "
            + settings.stageTimeout() + " (waiting to fetch " + item.kind() + " of " + item.source() + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException(Code.CANCELLED, stage + " was interrupted", e);
    }
  }

  private Path await(CompletableFuture<Path> f, String stage, String source) {
    return await(f, stage, source, nanoClock.getAsLong() + settings.stageTimeout().toNanos());
  }

  private Path await(CompletableFuture<Path> f, String stage, String source, long deadline) {
    try {
      return f.get(Math.max(0, deadline - nanoClock.getAsLong()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      Code code = cause instanceof RayFileException r ? r.code() : Code.INTERNAL;
      throw new MediaException(code, stage + " failed for " + source + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new MediaException(Code.TIMED_OUT, stage + ": fetching the output of " + source + " took longer than "
          + settings.stageTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException(Code.CANCELLED, stage + " was interrupted", e);
    }
  }

  private static MediaException stageFailed(String stage, Item item, RuntimeException e) {
    Code code = e instanceof RayFileException r ? r.code() : Code.INTERNAL;
    return new MediaException(code, stage + " failed for " + item.source() + " (" + item.kind() + "): "
        + e.getMessage(), e);
  }

  private List<StressTable.Sample> samples(String kind) {
    synchronized (downloads) {
      return downloads.stream().filter(d -> kind == null ? !d.kind().equals("input") : d.kind().equals(kind))
          .map(d -> new StressTable.Sample(d.bytes(), d.seconds())).toList();
    }
  }

  private <T> T timed(String stage, int tasks, java.util.function.Supplier<T> body) {
    long start = nanoClock.getAsLong();
    T result = body.get();
    stages.add(new PipelineReport.StageTiming(stage, tasks, (nanoClock.getAsLong() - start) / 1e9));
    return result;
  }

  private <T extends AutoCloseable> T track(T handle) {
    handles.push(handle);
    return handle;
  }

  /** Closes every handle, newest first; returns how many. The first failure is thrown after all were tried. */
  private int release() {
    int n = 0;
    RuntimeException first = null;
    while (!handles.isEmpty()) {
      AutoCloseable h = handles.pop();
      try {
        h.close();
        n++;
      } catch (Exception e) {
        if (first == null) {
          first = new MediaException(Code.INTERNAL, "release: closing " + h + " failed: " + e, e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
    return n;
  }

  private static Source find(List<Source> sources, String name) {
    return sources.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  /** Copies by stream: the copy is an ordinary writable file, not read-only like the fetched one. */
  private static void copy(Path from, Path to) {
    try (var in = Files.newInputStream(from)) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the index to " + to, e);
    }
  }

  private static List<IndexEntry> read(Path index) {
    try {
      return IndexEntry.read(index);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the index " + index, e);
    }
  }
}
