package io.rayfile.examples.media;

import io.rayfile.api.FileKind;
import io.rayfile.api.FileRef;
import io.rayfile.api.HandleInfo;
import io.rayfile.api.NodeInfo;
import io.rayfile.api.PutOptions;
import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import io.rayfile.api.RayFileException.Code;
import io.rayfile.api.RayFileRuntime;
import io.rayfile.api.Task;
import io.rayfile.api.TaskCall;
import io.rayfile.api.TaskContext;
import io.rayfile.api.TaskFailedException;
import io.rayfile.api.TaskOptions;
import io.rayfile.api.WaitResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A test double of the runtime, in this JVM, for the pipeline's unit test: nodes are directories, a "download" is
 * a copy between them, tasks run on a two-thread pool inside a {@link TaskContext} once their {@link FileRef}
 * arguments resolved, placement follows {@link TaskOptions}. It counts open handles, so a test sees what the driver
 * left unreleased. It is not the RayFile runtime (no cluster, no P2P, no reference counting across processes): the
 * pipeline's integration test runs on that.
 */
final class InProcessRuntime implements RayFileRuntime {
  private final Path root;
  private final List<NodeInfo> nodes = new ArrayList<>();
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final ExecutorService fetchers = Executors.newFixedThreadPool(4);
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger spread = new AtomicInteger();
  /** node + "/" + content id -> its copy on that node. */
  private final Map<String, Path> stored = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> holders = new ConcurrentHashMap<>();
  /** Copies between nodes. */
  final AtomicInteger transfers = new AtomicInteger();
  /** Tasks that ran, by node. */
  final Map<String, AtomicInteger> ranOn = new ConcurrentHashMap<>();
  /** A task method that throws instead of running, for failure tests; null for none. */
  volatile String failing;

  InProcessRuntime(Path root, int n) {
    this.root = root;
    for (int i = 0; i < n; i++) {
      nodes.add(new NodeInfo("node-" + i, "localhost", Map.of(), 2));
    }
  }

  /** Handles made and not yet closed. */
  int openHandles() {
    return open.get();
  }

  @Override
  public RayFile put(Path path) {
    return put(path, PutOptions.defaults());
  }

  @Override
  public RayFile put(Path path, PutOptions options) {
    if (!Files.exists(path)) {
      throw new RayFileException(Code.INVALID_ARGUMENT, "no such file: " + path);
    }
    return store("node-0", path, "driver");
  }

  @Override
  public CompletableFuture<Path> fetch(RayFile file) {
    return CompletableFuture.supplyAsync(() -> on("node-0", file), fetchers);
  }

  @Override
  public void release(RayFile file) {}

  @Override
  public TaskCall task(Task.F0 task) {
    return new Call(task, new Object[0], TaskOptions.defaults());
  }

  @Override
  public <A> TaskCall task(Task.F1<A> task, Object a) {
    return new Call(task, new Object[] {a}, TaskOptions.defaults());
  }

  @Override
  public <A, B> TaskCall task(Task.F2<A, B> task, Object a, Object b) {
    return new Call(task, new Object[] {a, b}, TaskOptions.defaults());
  }

  @Override
  public <A, B, C> TaskCall task(Task.F3<A, B, C> task, Object a, Object b, Object c) {
    return new Call(task, new Object[] {a, b, c}, TaskOptions.defaults());
  }

  @Override
  public <A, B, C, D> TaskCall task(Task.F4<A, B, C, D> task, Object a, Object b, Object c, Object d) {
    return new Call(task, new Object[] {a, b, c, d}, TaskOptions.defaults());
  }

  @Override
  public WaitResult wait(List<? extends FileRef> refs, int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (refs.stream().filter(FileRef::isDone).count() < n && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return new WaitResult(refs.stream().filter(FileRef::isDone).map(r -> (FileRef) r).toList(),
        refs.stream().filter(r -> !r.isDone()).map(r -> (FileRef) r).toList());
  }

  @Override
  public List<NodeInfo> nodes() {
    return List.copyOf(nodes);
  }

  @Override
  public void close() {
    workers.shutdownNow();
    fetchers.shutdownNow();
    try {
      workers.awaitTermination(30, TimeUnit.SECONDS);
      fetchers.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Call implements TaskCall {
    private final Task fn;
    private final Object[] args;
    private final TaskOptions options;

    Call(Task fn, Object[] args, TaskOptions options) {
      this.fn = fn;
      this.args = args;
      this.options = options;
    }

    @Override
    public TaskCall options(TaskOptions o) {
      return new Call(fn, args, o);
    }

    @Override
    public FileRef remote() {
      String taskId = "task-" + ids.incrementAndGet();
      String method = methodName(fn);
      List<CompletableFuture<RayFile>> inputs = new ArrayList<>();
      for (Object a : args) {
        if (a instanceof Ref r) {
          inputs.add(r.future);
        } else if (a instanceof RayFile f) {
          inputs.add(CompletableFuture.completedFuture(f));
        }
      }
      CompletableFuture<RayFile> result = CompletableFuture.allOf(inputs.toArray(CompletableFuture[]::new))
          .thenApplyAsync(ignored -> run(taskId, method), workers);
      return new Ref(taskId, result);
    }

    private RayFile run(String taskId, String method) {
      String node = place();
      ranOn.computeIfAbsent(node, k -> new AtomicInteger()).incrementAndGet();
      Object[] resolved = new Object[args.length];
      for (int i = 0; i < args.length; i++) {
        Object a = args[i];
        RayFile f = a instanceof Ref r ? r.future.join() : a instanceof RayFile h ? h : null;
        resolved[i] = f == null ? a : on(node, f);
      }
      Path scratch = root.resolve("scratch").resolve(taskId);
      try {
        Files.createDirectories(scratch);
        Path out;
        try (var s = TaskContext.enter(new TaskContext(taskId, node, "job-1", scratch, 0))) {
          if (method.equals(failing)) {
            throw new IllegalStateException("injected failure in " + method);
          }
          out = invoke(resolved);
        }
        return store(node, out, "driver");
      } catch (Exception e) {
        throw new TaskFailedException("MediaTasks::" + method, node, new TaskFailedException.RemoteCause(
            e.getClass().getName(), e.getMessage(), e.getStackTrace(), null));
      } finally {
        MediaGenerator.deleteTree(scratch);
      }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Path invoke(Object[] a) throws Exception {
      return switch (a.length) {
        case 0 -> ((Task.F0) fn).call();
        case 1 -> ((Task.F1) fn).call(a[0]);
        case 2 -> ((Task.F2) fn).call(a[0], a[1]);
        case 3 -> ((Task.F3) fn).call(a[0], a[1], a[2]);
        default -> ((Task.F4) fn).call(a[0], a[1], a[2], a[3]);
      };
    }

    private String place() {
      return switch (options.placement()) {
        case NODE -> options.node().orElseThrow();
        case SPREAD -> nodes.get(Math.floorMod(spread.getAndIncrement(), nodes.size())).id();
        case LOCALITY -> {
          for (Object a : args) {
            RayFile f = a instanceof Ref r ? r.future.join() : a instanceof RayFile h ? h : null;
            if (f != null) {
              yield holders.get(f.id()).iterator().next();
            }
          }
          yield "node-0";
        }
      };
    }
  }

  private final class Ref implements FileRef {
    private final String taskId;
    private final CompletableFuture<RayFile> future;

    Ref(String taskId, CompletableFuture<RayFile> future) {
      this.taskId = taskId;
      this.future = future;
    }

    @Override
    public String taskId() {
      return taskId;
    }

    @Override
    public RayFile get() {
      return get(Duration.ofDays(1));
    }

    @Override
    public RayFile get(Duration timeout) {
      try {
        return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | CompletionException e) {
        if (e.getCause() instanceof RayFileException r) {
          throw r;
        }
        throw new RayFileException(Code.INTERNAL, "task " + taskId + " failed: " + e.getCause(), e.getCause());
      } catch (TimeoutException e) {
        throw new RayFileException(Code.TIMED_OUT, "task " + taskId + " not done within " + timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RayFileException(Code.CANCELLED, "interrupted");
      } catch (java.util.concurrent.CancellationException e) {
        throw new RayFileException(Code.CANCELLED, "task " + taskId + " was cancelled");
      }
    }

    @Override
    public CompletableFuture<RayFile> future() {
      return future;
    }

    @Override
    public CompletableFuture<Path> fetch() {
      return future.thenCompose(InProcessRuntime.this::fetch);
    }

    @Override
    public boolean cancel() {
      return future.cancel(true);
    }

    @Override
    public boolean isDone() {
      return future.isDone();
    }

    @Override
    public void close() {
      // A task still running hands its handle over when it ends; either way it ends up closed.
      future.thenAccept(RayFile::close);
    }
  }

  /** Moves or copies {@code path} into {@code node}'s store and returns a counted handle to it. */
  private RayFile store(String node, Path path, String owner) {
    try {
      String id = "sha256:" + contentId(path);
      String name = path.getFileName().toString();
      Path target = root.resolve(node).resolve(id.substring(7)).resolve(name);
      if (stored.putIfAbsent(node + "/" + id, target) == null) {
        copyTree(path, target);
      }
      holders.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(node);
      long size;
      try (Stream<Path> s = Files.walk(target)) {
        size = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
      open.incrementAndGet();
      HandleInfo info = new HandleInfo("file-" + ids.incrementAndGet(), id,
          Files.isDirectory(target) ? FileKind.DIRECTORY : FileKind.FILE, size, name, owner);
      return new RayFile(info, open::decrementAndGet);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The copy of {@code f} on {@code node}, copied there from a holder first if needed. */
  private Path on(String node, RayFile f) {
    return stored.computeIfAbsent(node + "/" + f.id(), key -> {
      String from = holders.get(f.id()).iterator().next();
      Path source = stored.get(from + "/" + f.id());
      Path target = root.resolve(node).resolve(f.id().substring(7)).resolve(source.getFileName());
      try {
        copyTree(source, target);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      transfers.incrementAndGet();
      holders.get(f.id()).add(node);
      return target;
    });
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  private static String contentId(Path path) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (Stream<Path> s = Files.walk(path)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        md.update(path.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update(MediaTasks.sha256(p).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String methodName(Task fn) {
    try {
      Method m = fn.getClass().getDeclaredMethod("writeReplace");
      m.setAccessible(true);
      return ((SerializedLambda) m.invoke(fn)).getImplMethodName();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("a task must be a method reference", e);
    }
  }
}
