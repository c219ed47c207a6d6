package io.rayfile.runtime.driver;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.rayfile.api.FileRef;
import io.rayfile.api.Lifetime;
import io.rayfile.api.NodeInfo;
import io.rayfile.api.PutOptions;
import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import io.rayfile.api.RayFileRuntime;
import io.rayfile.api.Task;
import io.rayfile.api.TaskCall;
import io.rayfile.api.TaskFailedException;
import io.rayfile.api.TaskOptions;
import io.rayfile.api.WaitResult;
import io.rayfile.gc.FileId;
import io.rayfile.gc.GcEffect;
import io.rayfile.gc.JobId;
import io.rayfile.gc.ProcessId;
import io.rayfile.gc.TaskId;
import io.rayfile.runtime.cache.CacheLevel;
import io.rayfile.runtime.cache.LevelCounters;
import io.rayfile.runtime.cluster.ClusterBoot;
import io.rayfile.runtime.cluster.Members;
import io.rayfile.runtime.cluster.NodeDirectory;
import io.rayfile.runtime.cluster.NodeDirectory.Node;
import io.rayfile.runtime.cluster.Roles;
import io.rayfile.runtime.gc.GcActor;
import io.rayfile.runtime.head.HeadAgent;
import io.rayfile.runtime.node.NodeAgent;
import io.rayfile.runtime.protocol.ArgSpec;
import io.rayfile.runtime.protocol.FileSpec;
import io.rayfile.runtime.protocol.NodeStats;
import io.rayfile.runtime.protocol.RemoteError;
import io.rayfile.runtime.protocol.TaskOutcome;
import io.rayfile.runtime.protocol.TaskSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A driver: a user's JVM in the cluster. It owns the files it puts and the outputs of the tasks it submits, places
 * tasks near their inputs, and turns the GC's "freed" into unpins on every node.
 */
public final class DriverRuntime implements RayFileRuntime {
  private static final Logger log = LoggerFactory.getLogger(DriverRuntime.class);
  private static final Duration ASK = Duration.ofSeconds(30);
  private static final Duration LONG_ASK = Duration.ofHours(2);

  private final ActorSystem<Void> system;
  private final NodeDirectory directory;
  private final ActorRef<GcActor.Command> gc;
  private final ActorRef<TaskOutcome> replies;
  private final long pid;
  private final long anchor;
  private final Optional<String> localNodeId;
  private final Locations locations = new Locations();
  private final Placement placement = new Placement();
  private final Map<Long, Submission> pending = new ConcurrentHashMap<>();
  // How each live task output was made (output file id -> its task), to rebuild it when every copy is gone.
  private final Map<Long, Submission> lineage = new ConcurrentHashMap<>();
  private static final int MAX_REBUILD_DEPTH = 16;
  // Rebuilds in progress by file id: several tasks losing the same input share one re-run.
  private final Map<Long, CompletableFuture<Void>> rebuilding = new ConcurrentHashMap<>();
  private final Cache<String, Path> worker = Caffeine.newBuilder().maximumSize(10_000).build();
  private final LevelCounters counters = new LevelCounters();
  private final Set<AutoCloseable> open = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
  private final List<Runnable> onClose = new ArrayList<>();
  private volatile boolean closed;
  private volatile TaskTiming.Listener timings;

  /** A task submitted and not finished: where it runs, and how many times it ran. */
  private static final class Submission {
    final TaskSpec base;
    final TaskOptions options;
    final FileRefImpl ref;
    final List<FileSpec> inputs;
    final Set<String> failedOn = ConcurrentHashMap.newKeySet();
    volatile Node node;
    volatile int attempt;
    volatile long dispatchedNanos;
    // Set for a lineage re-run: completes with the rebuilt output instead of resolving a ref.
    final CompletableFuture<FileSpec> rebuilt;

    Submission(TaskSpec base, TaskOptions options, FileRefImpl ref, List<FileSpec> inputs) {
      this(base, options, ref, inputs, null);
    }

    Submission(TaskSpec base, TaskOptions options, FileRefImpl ref, List<FileSpec> inputs,
        CompletableFuture<FileSpec> rebuilt) {
      this.base = base;
      this.options = options;
      this.ref = ref;
      this.inputs = inputs;
      this.rebuilt = rebuilt;
    }

    boolean cancelled() {
      return rebuilt == null ? ref.isDone() : rebuilt.isDone();
    }

    void fail(RayFileException e) {
      if (rebuilt == null) {
        ref.fail(e);
      } else {
        rebuilt.completeExceptionally(e);
      }
    }
  }

  private DriverRuntime(ActorSystem<Void> system, NodeDirectory directory, long anchor, Optional<String> localNodeId) {
    this.system = system;
    this.directory = directory;
    this.pid = Members.self(system);
    this.anchor = anchor;
    this.localNodeId = localNodeId;
    Duration retry = system.settings().config().getDuration("rayfile.gc-retry-interval");
    this.gc = system.systemActorOf(GcActor.create(anchor, retry, this::onGcEffect), "rayfile-gc", Props.empty());
    ActorRef<Object> driverActor = system.systemActorOf(replies(), "rayfile-driver", Props.empty());
    this.replies = driverActor.narrow();
  }

  /**
   * Joins the cluster at {@code head} as a driver.
   *
   * @param localNodeId the node on this host that stores this driver's puts and fetches (empty: the first node
   *     on this host, else the first node)
   */
  public static DriverRuntime connect(String head, Optional<String> localNodeId) {
    ActorSystem<Void> system = ClusterBoot.start(Behaviors.empty(),
        ClusterBoot.config(Roles.DRIVER, bindAddress(head), 0, head));
    try {
      HeadAgent.find(system, ClusterBoot.joinTimeout(system));
      long anchor = Members.head(system).orElseThrow();
      NodeDirectory directory = NodeDirectory.follow(system);
      if (!directory.awaitNodes(1, ClusterBoot.joinTimeout(system))) {
        throw new RayFileException(RayFileException.Code.UNAVAILABLE, "the cluster at " + head + " has no node");
      }
      return new DriverRuntime(system, directory, anchor, localNodeId);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      system.terminate();
      throw new RayFileException(RayFileException.Code.UNAVAILABLE, "interrupted while joining " + head);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /**
   * The address this driver binds: loopback for a head on loopback, else this host's address (members must reach
   * the driver back), unless {@code RAYFILE_HOST} says otherwise.
   */
  private static String bindAddress(String head) {
    String env = System.getenv("RAYFILE_HOST");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      String host = head.substring(0, head.lastIndexOf(':'));
      return InetAddress.getByName(host).isLoopbackAddress() ? "127.0.0.1"
          : InetAddress.getLocalHost().getHostAddress();
    } catch (IOException e) {
      return "127.0.0.1";
    }
  }

  /** Runs {@code r} when this runtime closes (after the job ended), e.g. to stop an embedded cluster. */
  public void onClose(Runnable r) {
    onClose.add(r);
  }

  /** Receives the timing of every task that finishes from now on (benchmarks). */
  public void onTaskTiming(TaskTiming.Listener listener) {
    this.timings = listener;
  }

  /** This job's id (the driver's process id, in hex). */
  public String jobId() {
    return Long.toUnsignedString(pid, 16);
  }

  public NodeDirectory directory() {
    return directory;
  }

  // ---- put and fetch ------------------------------------------------------------------------------------------

  @Override
  public RayFile put(Path path) {
    return put(path, PutOptions.defaults());
  }

  @Override
  public RayFile put(Path path, PutOptions options) {
    checkOpen();
    Path abs = path.toAbsolutePath().normalize();
    if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "nothing to put at " + abs
          + ": no such file or directory");
    }
    Node node = localNode();
    long fileId = newId();
    long owner = options.lifetime() == Lifetime.OWNER ? pid : anchor;
    NodeAgent.Imported imported = await(AskPattern.<NodeAgent.Command, NodeAgent.Imported>ask(node.agent(),
        r -> new NodeAgent.ImportPath(abs.toString(), fileId, owner, options.move(), r), LONG_ASK, system.scheduler()),
        "put " + abs);
    if (imported.error() != null) {
      throw toException(imported.error(), "put " + abs + " on node " + node.id());
    }
    FileSpec file = imported.file();
    io.rayfile.gc.Lifetime lifetime = switch (options.lifetime()) {
      case OWNER -> io.rayfile.gc.Lifetime.owner();
      case JOB -> io.rayfile.gc.Lifetime.job(new JobId(pid), options.ttl().toMillis());
      case DETACHED -> io.rayfile.gc.Lifetime.detached(options.ttl().toMillis());
    };
    gcOp(n -> n.create(new FileId(fileId), lifetime, now()));
    locations.add(file.contentId(), node.id());
    RayFile handle = handle(file);
    if (options.replicas() > 1) {
      replicate(file, options.replicas() - 1, node);
    }
    return handle;
  }

  /** Copies {@code file} to {@code extra} more nodes, spread over nodepools first. */
  private void replicate(FileSpec file, int extra, Node origin) {
    List<Node> others = new ArrayList<>(directory.nodes().stream().filter(n -> !n.id().equals(origin.id())).toList());
    String originPool = origin.description().labels().getOrDefault("nodepool", "");
    others.sort(java.util.Comparator.comparing(n -> n.description().labels().getOrDefault("nodepool", "")
        .equals(originPool)));
    if (others.size() < extra) {
      throw new RayFileException(RayFileException.Code.UNAVAILABLE, "asked for " + (extra + 1) + " replicas of "
          + file.name() + " but the cluster has " + (others.size() + 1) + " nodes");
    }
    List<CompletableFuture<NodeAgent.Materialized>> copies = new ArrayList<>();
    FileSpec seeded = withSeeds(file);
    for (Node n : others.subList(0, extra)) {
      copies.add(AskPattern.<NodeAgent.Command, NodeAgent.Materialized>ask(n.agent(),
          r -> new NodeAgent.Materialize(seeded, "", r), LONG_ASK, system.scheduler()).toCompletableFuture()
          .thenApply(m -> {
            if (m.error() == null) {
              locations.add(file.contentId(), n.id());
            }
            return m;
          }));
    }
    for (CompletableFuture<NodeAgent.Materialized> c : copies) {
      NodeAgent.Materialized m = await(c, "replicate " + file.name());
      if (m.error() != null) {
        throw toException(m.error(), "replicate " + file.name());
      }
    }
  }

  @Override
  public CompletableFuture<Path> fetch(RayFile file) {
    checkOpen();
    Path known = worker.getIfPresent(file.id());
    if (known != null && Files.exists(known, LinkOption.NOFOLLOW_LINKS)) {
      counters.served(CacheLevel.WORKER, CacheLevel.WORKER);
      return CompletableFuture.completedFuture(known);
    }
    counters.missed(CacheLevel.WORKER); // the node counts the level that has it
    FileSpec spec = FileSpec.of(file.info(), List.of());
    CompletableFuture<Void> ready = liveHolders(spec.contentId()).isEmpty() && lineage.containsKey(spec.fileId())
        ? rebuild(spec, 0) : CompletableFuture.completedFuture(null); // every copy died with its nodes
    return ready.thenCompose(v -> materialize(file, spec)).exceptionallyCompose(t -> {
      RayFileException e = FileRefImpl.unwrap(t);
      if (e.code() == RayFileException.Code.LOST && lineage.containsKey(spec.fileId())) {
        return rebuild(spec, 0).thenCompose(v -> materialize(file, spec));
      }
      if (e.code() == RayFileException.Code.LOST) {
        return CompletableFuture.failedFuture(new RayFileException(RayFileException.Code.LOST, "file "
            + file.name() + " (" + file.id() + ") is lost: no live node holds a copy, and it was put, not made by "
            + "a task, so it cannot be rebuilt", e));
      }
      return CompletableFuture.failedFuture(e);
    });
  }

  private CompletableFuture<Path> materialize(RayFile file, FileSpec plain) {
    Node node = localNode();
    FileSpec spec = withSeeds(plain);
    return AskPattern.<NodeAgent.Command, NodeAgent.Materialized>ask(node.agent(),
            r -> new NodeAgent.Materialize(spec, jobId(), r), LONG_ASK, system.scheduler())
        .toCompletableFuture()
        .thenApply(m -> {
          if (m.error() != null) {
            throw toException(m.error(), "fetch " + file.name());
          }
          Path p = Path.of(m.path());
          worker.put(file.id(), p);
          locations.add(file.id(), node.id());
          return p;
        });
  }

  /**
   * Lineage: runs the task that made {@code file} again (after first rebuilding its own lost inputs), because no
   * live node holds a copy. The re-run must produce the same bytes; a task whose output differs cannot be rebuilt.
   */
  private CompletableFuture<Void> rebuild(FileSpec file, int depth) {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> running = rebuilding.putIfAbsent(file.fileId(), mine);
    if (running != null) {
      return running;
    }
    rebuildOnce(file, depth).whenComplete((v, t) -> {
      rebuilding.remove(file.fileId(), mine);
      if (t == null) {
        mine.complete(null);
      } else {
        mine.completeExceptionally(t);
      }
    });
    return mine;
  }

  private CompletableFuture<Void> rebuildOnce(FileSpec file, int depth) {
    Submission origin = lineage.get(file.fileId());
    if (origin == null) {
      return CompletableFuture.failedFuture(new RayFileException(RayFileException.Code.LOST, "file " + file.name()
          + " (" + file.contentId() + ") is lost: no live node holds a copy, and it was put, not made by a task"));
    }
    if (depth > MAX_REBUILD_DEPTH) {
      return CompletableFuture.failedFuture(new RayFileException(RayFileException.Code.LOST, "file " + file.name()
          + " is lost and its lineage is deeper than " + MAX_REBUILD_DEPTH + " tasks"));
    }
    List<CompletableFuture<Void>> inputs = new ArrayList<>();
    for (FileSpec in : origin.inputs) {
      // Inputs without lineage (puts) are left to the re-run's own fetch: if they are really gone it fails as lost.
      if (lineage.containsKey(in.fileId()) && liveHolders(in.contentId()).isEmpty()) {
        inputs.add(rebuild(in, depth + 1));
      }
    }
    return CompletableFuture.allOf(inputs.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      log.info("rebuilding {} ({}) by running {} again: every copy was lost", file.name(), file.contentId(),
          origin.base.displayName());
      CompletableFuture<FileSpec> out = new CompletableFuture<>();
      Submission again = new Submission(origin.base.with(origin.base.args(), 0), origin.options, origin.ref,
          origin.inputs, out);
      for (FileSpec f : again.inputs) {
        gcOp(n -> n.taskSubmitted(new FileId(f.fileId()), new TaskId(again.base.taskId())));
      }
      pending.put(again.base.taskId(), again);
      dispatch(again);
      return out.thenAccept(rebuilt -> {
        if (!rebuilt.contentId().equals(file.contentId())) {
          throw new RayFileException(RayFileException.Code.LOST, "file " + file.name() + " is lost and "
              + origin.base.displayName() + " made different bytes when run again (" + rebuilt.contentId()
              + "): it is not deterministic, so it cannot be rebuilt");
        }
      });
    });
  }

  /** Nodes alive now that are known to hold {@code contentId}. */
  private Set<String> liveHolders(String contentId) {
    Set<String> alive = new java.util.HashSet<>();
    for (Node n : directory.nodes()) {
      if (locations.holders(contentId).contains(n.id())) {
        alive.add(n.id());
      }
    }
    return alive;
  }

  /**
   * Fetches {@code contentId} onto the selected nodes ahead of need (peer to peer, no origin storm), without
   * pinning it: it stays as cache until evicted.
   *
   * @param progress called once per node as it finishes
   * @return per node id: the level it came from, or the error
   */
  public Map<String, String> preheat(String contentId, java.util.function.Predicate<NodeInfo> select,
      java.util.function.BiConsumer<String, String> progress) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    Map<String, String> result = new ConcurrentHashMap<>();
    List<String> seeds = new ArrayList<>();
    for (String id : liveHolders(contentId)) {
      directory.byId(id).ifPresent(n -> seeds.add(n.description().dataAddress()));
    }
    for (Node n : directory.nodes()) {
      if (!select.test(n.description().toInfo())) {
        continue;
      }
      all.add(AskPattern.<NodeAgent.Command, NodeAgent.Materialized>ask(n.agent(),
              r -> new NodeAgent.Preheat(contentId, seeds, r), LONG_ASK, system.scheduler())
          .toCompletableFuture().handle((m, t) -> {
            String outcome = t != null ? "error: " + FileRefImpl.unwrap(t).getMessage()
                : m.error() != null ? "error: " + m.error().message() : m.level();
            result.put(n.id(), outcome);
            progress.accept(n.id(), outcome);
            return null;
          }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    return new java.util.TreeMap<>(result);
  }

  @Override
  public void release(RayFile file) {
    gcOp(n -> n.release(new FileId(FileSpec.parseFileId(file.info().fileId())), now()));
  }

  // ---- tasks ----------------------------------------------------------------------------------------------------

  @Override
  public TaskCall task(Task.F0 task) {
    return new Call(task, List.of(), TaskOptions.defaults());
  }

  @Override
  public <A> TaskCall task(Task.F1<A> task, Object a) {
    return new Call(task, java.util.Arrays.asList(a), TaskOptions.defaults());
  }

  @Override
  public <A, B> TaskCall task(Task.F2<A, B> task, Object a, Object b) {
    return new Call(task, java.util.Arrays.asList(a, b), TaskOptions.defaults());
  }

  @Override
  public <A, B, C> TaskCall task(Task.F3<A, B, C> task, Object a, Object b, Object c) {
    return new Call(task, java.util.Arrays.asList(a, b, c), TaskOptions.defaults());
  }

  @Override
  public <A, B, C, D> TaskCall task(Task.F4<A, B, C, D> task, Object a, Object b, Object c, Object d) {
    return new Call(task, java.util.Arrays.asList(a, b, c, d), TaskOptions.defaults());
  }

  /** A call being prepared. */
  private final class Call implements TaskCall {
    private final Task task;
    private final List<Object> args;
    private final TaskOptions options;

    Call(Task task, List<Object> args, TaskOptions options) {
      this.task = task;
      this.args = args;
      this.options = options;
    }

    @Override
    public TaskCall options(TaskOptions newOptions) {
      return new Call(task, args, java.util.Objects.requireNonNull(newOptions, "options"));
    }

    @Override
    public FileRef remote() {
      return submit(TaskMethod.of(task), args, options);
    }
  }

  private FileRef submit(TaskMethod method, List<Object> args, TaskOptions options) {
    checkOpen();
    Class<?>[] params = method.type().parameterArray();
    if (params.length != args.size()) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, method.displayName() + " takes "
          + params.length + " arguments, got " + args.size());
    }
    if (method.type().returnType() != Path.class) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, method.displayName()
          + " must return java.nio.file.Path (the file or directory it wrote)");
    }
    long taskId = newId();
    List<CompletableFuture<ArgSpec>> argFutures = new ArrayList<>();
    for (int i = 0; i < params.length; i++) {
      argFutures.add(argument(method, i, params[i], args.get(i)));
    }
    TaskSpec base = new TaskSpec(taskId, jobId(), method.className(), method.methodName(), method.descriptor(),
        List.of(), newId(), pid, 0, options.cpus(), options.memoryBytes());
    FileRefImpl ref = new FileRefImpl(taskId, method.displayName(), this::fetch, () -> cancel(taskId));
    open.add(ref);
    CompletableFuture.allOf(argFutures.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
      if (err != null) {
        ref.fail(new RayFileException(RayFileException.Code.TASK_FAILED, method.displayName()
            + " did not run: an input failed: " + FileRefImpl.unwrap(err).getMessage(), FileRefImpl.unwrap(err)));
        return;
      }
      if (ref.isDone()) {
        return; // cancelled while waiting for its inputs
      }
      List<ArgSpec> resolved = argFutures.stream().map(CompletableFuture::join).toList();
      List<FileSpec> inputs = resolved.stream().filter(a -> a.file() != null).map(ArgSpec::file).toList();
      for (FileSpec f : inputs) {
        gcOp(n -> n.taskSubmitted(new FileId(f.fileId()), new TaskId(taskId)));
      }
      Submission s = new Submission(base.with(resolved, 0), options, ref, inputs);
      pending.put(taskId, s);
      dispatch(s);
    });
    return ref;
  }

  /** One argument: files when they resolve (FileRef) or at once (RayFile); other values serialized now. */
  private CompletableFuture<ArgSpec> argument(TaskMethod method, int index, Class<?> param, Object arg) {
    boolean fileParam = param == Path.class || param == RayFile.class;
    if (arg instanceof RayFile || arg instanceof FileRef) {
      if (!fileParam) {
        throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "argument " + index + " of "
            + method.displayName() + " is a file, but the parameter is " + param.getName()
            + "; declare it Path (a local copy) or RayFile (a handle)");
      }
      CompletableFuture<RayFile> handle = arg instanceof RayFile h ? CompletableFuture.completedFuture(h)
          : ((FileRef) arg).future();
      return handle.thenApply(h -> {
        FileSpec f = FileSpec.of(h.info(), List.of());
        return param == Path.class ? ArgSpec.path(f) : ArgSpec.handle(f);
      });
    }
    if (fileParam) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "argument " + index + " of "
          + method.displayName() + " must be a RayFile or FileRef for its " + param.getSimpleName()
          + " parameter, got " + (arg == null ? "null" : arg.getClass().getName()));
    }
    if (arg != null && !(arg instanceof Serializable)) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "argument " + index + " of "
          + method.displayName() + " (" + arg.getClass().getName() + ") is not Serializable");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(arg);
    } catch (IOException e) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "argument " + index + " of "
          + method.displayName() + " cannot be serialized: " + e, e);
    }
    return CompletableFuture.completedFuture(ArgSpec.value(bytes.toByteArray()));
  }

  private void dispatch(Submission s) {
    if (s.cancelled()) {
      finish(s);
      return;
    }
    Node node;
    try {
      // A retry or a rebuild may not insist on a node that died: it goes where its inputs are instead.
      boolean strict = s.attempt == 0 && s.rebuilt == null;
      node = placement.choose(directory.nodes(), s.options, s.inputs, locations, s.failedOn, strict);
    } catch (RayFileException e) {
      finish(s);
      s.fail(e);
      return;
    }
    s.node = node;
    s.dispatchedNanos = System.nanoTime();
    placement.started(node.id());
    List<ArgSpec> args = new ArrayList<>();
    for (ArgSpec a : s.base.args()) {
      if (a.file() == null) {
        args.add(a);
        continue;
      }
      FileSpec f = withSeeds(a.file());
      if (a.kind() == ArgSpec.Kind.HANDLE) {
        long to = node.description().pid();
        gcOp(n -> n.passTo(new FileId(f.fileId()), new ProcessId(to), now()));
      }
      args.add(new ArgSpec(a.kind(), f, null));
    }
    TaskSpec spec = s.base.with(args, s.attempt);
    node.agent().tell(new NodeAgent.RunTask(spec, replies));
  }

  /** The reply actor's own note that a cluster member left (never sent over the wire). */
  private record MemberGone(long pid) {}

  /** Task outcomes from the nodes, and member departures from the cluster, handled one at a time. */
  private Behavior<Object> replies() {
    return Behaviors.setup(ctx -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.messageAdapter(
          ClusterEvent.MemberRemoved.class, e -> new MemberGone(e.member().uniqueAddress().longUid())),
          ClusterEvent.MemberRemoved.class));
      return Behaviors.receive(Object.class)
          .onMessage(TaskOutcome.class, o -> {
            onOutcome(o);
            return Behaviors.same();
          })
          .onMessage(MemberGone.class, g -> {
            nodeGone(g.pid());
            return Behaviors.same();
          })
          .build();
    });
  }

  private void onOutcome(TaskOutcome o) {
    Submission s = pending.get(o.taskId());
    if (s == null || s.node == null || !s.node.id().equals(o.nodeId())) {
      return; // a late answer from an attempt already given up on
    }
    placement.ended(o.nodeId());
    TaskTiming.Listener listener = timings;
    if (listener != null) {
      listener.finished(new TaskTiming(o.taskId(), o.nodeId(), o.ok(), System.nanoTime() - s.dispatchedNanos,
          o.waitNanos(), o.bodyNanos(), o.prepNanos(), o.resolveNanos(), o.importNanos()));
    }
    o.inputsHeld().forEach(c -> locations.add(c, o.nodeId()));
    if (!o.ok()) {
      RayFileException e = toException(o.error(), s.base.displayName(), s.base.idText(), o.nodeId());
      if (e.code() == RayFileException.Code.LOST && s.attempt < s.options.maxRetries()
          && s.inputs.stream().anyMatch(in -> lineage.containsKey(in.fileId()))) {
        s.attempt++; // an input was lost with its nodes: rebuild it through lineage, then run again
        s.node = null;
        CompletableFuture.allOf(s.inputs.stream()
                .filter(in -> lineage.containsKey(in.fileId()) && liveHolders(in.contentId()).isEmpty())
                .map(in -> rebuild(in, 1)).toArray(CompletableFuture[]::new))
            .whenComplete((v, t) -> {
              if (t != null) {
                finish(s);
                s.fail(FileRefImpl.unwrap(t));
              } else {
                dispatch(s);
              }
            });
        return;
      }
      finish(s);
      s.fail(e);
      return;
    }
    FileSpec out = o.output();
    locations.add(out.contentId(), o.nodeId());
    finish(s);
    if (s.rebuilt != null) {
      s.rebuilt.complete(out);
      return;
    }
    gcOp(n -> n.create(new FileId(out.fileId()), io.rayfile.gc.Lifetime.owner(), now()));
    lineage.put(out.fileId(), s);
    RayFile handle = handle(out);
    s.ref.resolve(handle);
  }

  /** A member left: tasks it was running go elsewhere (bounded by maxRetries) or fail as lost. */
  private void nodeGone(long memberPid) {
    for (Submission s : pending.values()) {
      Node n = s.node;
      if (n == null || n.description().pid() != memberPid) {
        continue;
      }
      placement.ended(n.id());
      s.failedOn.add(n.id());
      if (s.attempt < s.options.maxRetries()) {
        s.attempt++;
        log.info("node {} died running {} ({}); retrying, attempt {} of {}", n.id(), s.base.displayName(),
            s.base.idText(), s.attempt + 1, s.options.maxRetries() + 1);
        s.node = null;
        dispatch(s);
      } else {
        finish(s);
        s.fail(new RayFileException(RayFileException.Code.LOST, s.base.displayName() + " (task "
            + s.base.idText() + ") was lost: node " + n.id() + " died while running it, after "
            + (s.attempt + 1) + " attempts"));
      }
    }
  }

  private void cancel(long taskId) {
    Submission s = pending.get(taskId);
    if (s != null && s.node != null) {
      s.node.agent().tell(new NodeAgent.CancelTask(taskId));
    }
  }

  /** The task is over (one way or another): its inputs are no longer its arguments. */
  private void finish(Submission s) {
    if (pending.remove(s.base.taskId()) == null) {
      return;
    }
    for (FileSpec f : s.inputs) {
      gcOp(n -> n.taskFinished(new FileId(f.fileId()), new TaskId(s.base.taskId())));
    }
  }

  @Override
  public WaitResult wait(List<? extends FileRef> refs, int n, Duration timeout) {
    if (n < 0 || n > refs.size()) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "wait for " + n + " of " + refs.size()
          + " refs: n must be between 0 and the number of refs");
    }
    CountDownLatch latch = new CountDownLatch(n);
    refs.forEach(r -> r.future().whenComplete((h, e) -> latch.countDown()));
    try {
      latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<FileRef> ready = new ArrayList<>();
    List<FileRef> notReady = new ArrayList<>();
    refs.forEach(r -> (r.isDone() ? ready : notReady).add(r));
    return new WaitResult(ready, notReady);
  }

  @Override
  public List<NodeInfo> nodes() {
    return directory.nodes().stream().map(n -> n.description().toInfo()).toList();
  }

  /** Every node's counters, and this driver's worker-level ones. */
  public ClusterStats stats() {
    List<NodeStats> nodes = new ArrayList<>();
    for (Node n : directory.nodes()) {
      nodes.add(await(AskPattern.<NodeAgent.Command, NodeStats>ask(n.agent(), NodeAgent.GetStats::new, ASK,
          system.scheduler()), "stats of " + n.id()));
    }
    return new ClusterStats(nodes, counters.hits(), counters.misses());
  }

  // ---- GC -------------------------------------------------------------------------------------------------------

  private RayFile handle(FileSpec file) {
    long fileId = file.fileId();
    RayFile h = new RayFile(file.toHandleInfo(), () -> gcOp(n -> n.removeLocalRef(new FileId(fileId))));
    open.add(h);
    return h;
  }

  private void onGcEffect(GcEffect e) {
    if (e instanceof GcEffect.Freed) {
      lineage.remove(e.file().value());
      directory.broadcast(new NodeAgent.Unpin(List.of(e.file().value())));
    } else if (e instanceof GcEffect.Lost) {
      log.warn("file {} was lost: its owner died", e.file());
    }
  }

  private void gcOp(Function<io.rayfile.gc.GcNode, io.rayfile.gc.Output> op) {
    gc.tell(new GcActor.Op(n -> {
      try {
        return op.apply(n);
      } catch (IllegalStateException e) {
        log.debug("GC operation ignored: {}", e.getMessage());
        return io.rayfile.gc.Output.NONE;
      }
    }));
  }

  /** Completes once the GC actor has applied every operation sent before. */
  private void gcSync() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    gc.tell(new GcActor.Op(n -> {
      done.complete(null);
      return io.rayfile.gc.Output.NONE;
    }));
    done.orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  private FileSpec withSeeds(FileSpec f) {
    List<String> seeds = new ArrayList<>();
    for (String nodeId : locations.holders(f.contentId())) {
      directory.byId(nodeId).ifPresent(n -> seeds.add(n.description().dataAddress()));
    }
    return f.withSeeds(seeds);
  }

  private Node localNode() {
    List<Node> nodes = directory.nodes();
    if (localNodeId.isPresent()) {
      return directory.byId(localNodeId.get()).orElseThrow(() -> new RayFileException(
          RayFileException.Code.UNAVAILABLE, "this driver's node " + localNodeId.get() + " is not in the cluster"));
    }
    String host = hostName();
    return nodes.stream().filter(n -> n.description().host().equals(host)).findFirst()
        .or(() -> nodes.stream().findFirst())
        .orElseThrow(() -> new RayFileException(RayFileException.Code.UNAVAILABLE, "no node in the cluster"));
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().join();
    } catch (RuntimeException e) {
      RayFileException r = FileRefImpl.unwrap(e);
      if (r.code() == RayFileException.Code.INTERNAL && r.getCause() instanceof java.util.concurrent.TimeoutException) {
        throw new RayFileException(RayFileException.Code.UNAVAILABLE, what + ": no answer in time", r);
      }
      throw new RayFileException(r.code(), what + ": " + r.getMessage(), r);
    }
  }

  private static RayFileException toException(RemoteError e, String what) {
    RayFileException.Code code = e.code() == null ? RayFileException.Code.INTERNAL
        : RayFileException.Code.valueOf(e.code());
    return new RayFileException(code, what + ": " + e.message(), e.toCause());
  }

  private static RayFileException toException(RemoteError e, String task, String taskId, String node) {
    if (e.code() != null && !e.type().equals(TaskFailedException.class.getName())
        && e.type().equals(RayFileException.class.getName())) {
      return toException(e, task + " (task " + taskId + ") on node " + node);
    }
    return new TaskFailedException(task + " (" + taskId + ")", node, e.toCause());
  }

  private static long newId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    } while (id == 0);
    return id;
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }

  private void checkOpen() {
    if (closed) {
      throw new RayFileException(RayFileException.Code.UNAVAILABLE, "this RayFile runtime is closed");
    }
  }

  /**
   * Closes every handle and ref this driver still holds (what {@link #close()} does first), keeping the runtime
   * open: the files are freed once no other process holds them.
   */
  public void closeHandles() {
    List<AutoCloseable> still;
    synchronized (open) {
      still = new ArrayList<>(open);
    }
    for (AutoCloseable c : still) {
      try {
        c.close();
      } catch (Exception e) {
        log.debug("closing {} failed", c, e);
      }
    }
    gcSync(); // every release applied, every "freed" unpin sent
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeHandles();
    directory.broadcast(new NodeAgent.JobEnded(jobId()));
    try {
      stats(); // a round trip to every node after the unpins: they are applied when this returns
    } catch (RuntimeException e) {
      log.debug("final stats round failed", e);
    }
    try {
      Cluster.get(system).manager().tell(Leave.create(Cluster.get(system).selfMember().address()));
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("driver actor system did not stop cleanly", e);
    }
    onClose.forEach(Runnable::run);
  }
}
