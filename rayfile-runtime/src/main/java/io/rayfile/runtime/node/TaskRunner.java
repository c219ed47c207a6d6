package io.rayfile.runtime.node;

import io.rayfile.api.RayFile;
import io.rayfile.api.RayFileException;
import io.rayfile.api.TaskContext;
import io.rayfile.d7y.peer.NodeContents;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.ImportResult;
import io.rayfile.runtime.cache.CacheLevel;
import io.rayfile.runtime.cache.NodeCache;
import io.rayfile.runtime.protocol.ArgSpec;
import io.rayfile.runtime.protocol.FileSpec;
import io.rayfile.runtime.protocol.RemoteError;
import io.rayfile.runtime.protocol.TaskOutcome;
import io.rayfile.runtime.protocol.TaskSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on a node: prepares their inputs while they wait for a worker (node -> peer -> origin), resolves
 * them to read-only paths on the worker (worker -> job -> materialize), calls the static method, imports the
 * returned path by hard link and pins it for the task's owner.
 */
final class TaskRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  private final String nodeId;
  private final String dataAddress;
  private final NodeContents contents;
  private final NodeCache cache;
  private final FilePins pins;
  private final Borrows borrows;
  private final LongConsumer releaseBorrow;
  private final Path scratchRoot;
  private final ExecutorService workers;
  private final Map<Long, Running> running = new ConcurrentHashMap<>();
  private final AtomicLong finished = new AtomicLong();
  // Resources, in hundredths of a CPU and in MiB: a task runs once its needs fit what is free.
  private final java.util.concurrent.Semaphore cpus;
  private final java.util.concurrent.Semaphore memory;
  private final int cpuCapacity;
  private final int memoryCapacity;

  /** A task in progress: its outcome, and the worker thread once it runs (for cancellation). */
  private static final class Running {
    final CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
    final AtomicReference<Thread> thread = new AtomicReference<>();
    volatile boolean cancelled;
  }

  TaskRunner(String nodeId, String dataAddress, NodeContents contents, NodeCache cache, FilePins pins,
      Borrows borrows, LongConsumer releaseBorrow, Path scratchRoot, int workerCount) {
    this.nodeId = nodeId;
    this.dataAddress = dataAddress;
    this.contents = contents;
    this.cache = cache;
    this.pins = pins;
    this.borrows = borrows;
    this.releaseBorrow = releaseBorrow;
    this.scratchRoot = scratchRoot;
    this.cpuCapacity = workerCount * 100;
    this.memoryCapacity = (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() >> 20);
    this.cpus = new java.util.concurrent.Semaphore(cpuCapacity, true);
    this.memory = new java.util.concurrent.Semaphore(memoryCapacity, true);
    this.workers = Executors.newFixedThreadPool(workerCount, r -> {
      Thread t = new Thread(r, "rayfile-worker");
      t.setDaemon(true);
      return t;
    });
  }

  int running() {
    return running.size();
  }

  long finished() {
    return finished.get();
  }

  /** Starts {@code spec}; the future never fails (failures are outcomes). */
  CompletableFuture<TaskOutcome> submit(TaskSpec spec) {
    Running r = new Running();
    if (running.putIfAbsent(spec.taskId(), r) != null) {
      return CompletableFuture.completedFuture(failure(spec, RemoteError.of(RayFileException.Code.INVALID_ARGUMENT,
          "task " + spec.idText() + " is already running here")));
    }
    List<CompletableFuture<CacheLevel>> inputs = new ArrayList<>();
    for (ArgSpec a : spec.args()) {
      if (a.kind() == ArgSpec.Kind.VALUE) {
        inputs.add(CompletableFuture.completedFuture(CacheLevel.NODE));
        continue;
      }
      FileSpec f = a.file();
      CompletableFuture<CacheLevel> ready = cache.prepare(f).thenApply(level -> {
        pins.pin(f.fileId(), ContentId.parse(f.contentId()), f.owner());
        return level;
      });
      if (a.kind() == ArgSpec.Kind.HANDLE) {
        ready = ready.thenCombine(borrows.await(f.fileId()), (level, v) -> level);
      }
      inputs.add(ready.exceptionally(t -> {
        throw NodeCache.toApi(f, t);
      }));
    }
    long arrived = System.nanoTime();
    CompletableFuture.allOf(inputs.toArray(CompletableFuture[]::new))
        .thenApply(v -> System.nanoTime())
        .thenApplyAsync(ready -> run(spec, r, inputs.stream().map(CompletableFuture::join).toList(),
            ready - arrived, System.nanoTime() - ready), workers)
        .whenComplete((outcome, err) -> {
          running.remove(spec.taskId());
          finished.incrementAndGet();
          r.outcome.complete(err == null ? outcome : failure(spec, RemoteError.of(unwrap(err))));
        });
    return r.outcome;
  }

  /** Cancels a task waiting or running here (a running one is interrupted). */
  void cancel(long taskId) {
    Running r = running.get(taskId);
    if (r != null) {
      r.cancelled = true;
      Thread t = r.thread.get();
      if (t != null) {
        t.interrupt();
      }
    }
  }

  private TaskOutcome run(TaskSpec spec, Running r, List<CacheLevel> levels, long prepNanos, long waitNanos) {
    if (r.cancelled) {
      throw new CancellationException("task " + spec.idText() + " was cancelled before it ran");
    }
    Path scratch = scratchRoot.resolve(spec.idText() + "-" + spec.attempt());
    List<RayFile> borrowed = new ArrayList<>();
    r.thread.set(Thread.currentThread());
    int needCpu = (int) Math.min(cpuCapacity, Math.max(1, Math.round(spec.cpus() * 100)));
    int needMem = (int) Math.min(memoryCapacity, spec.memoryBytes() >> 20);
    try {
      cpus.acquire(needCpu);
    } catch (InterruptedException e) {
      throw new CancellationException("task " + spec.idText() + " was cancelled waiting for CPUs");
    }
    try {
      memory.acquireUninterruptibly(needMem);
    } finally {
      r.thread.set(Thread.currentThread());
    }
    try {
      Files.createDirectories(scratch);
      long resolveStart = System.nanoTime();
      Method method = method(spec);
      Object[] args = new Object[spec.args().size()];
      List<String> held = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        ArgSpec a = spec.args().get(i);
        switch (a.kind()) {
          case PATH -> {
            args[i] = cache.resolve(a.file(), spec.jobId(), levels.get(i));
            held.add(a.file().contentId());
          }
          case HANDLE -> {
            FileSpec f = a.file();
            RayFile h = new RayFile(f.toHandleInfo(), () -> releaseBorrow.accept(f.fileId()));
            borrowed.add(h);
            args[i] = h;
            held.add(f.contentId());
          }
          case VALUE -> args[i] = value(a.value(), method.getDeclaringClass().getClassLoader());
        }
      }
      Object result;
      long bodyStart = System.nanoTime();
      long resolveNanos = bodyStart - resolveStart;
      try (TaskContext.Scope s = TaskContext.enter(new TaskContext(spec.idText(), nodeId, spec.jobId(), scratch,
          spec.attempt()))) {
        result = method.invoke(null, args);
      } catch (InvocationTargetException e) {
        if (r.cancelled) {
          throw new CancellationException("task " + spec.idText() + " was cancelled while it ran");
        }
        return failure(spec, RemoteError.of(e.getCause()));
      }
      long bodyNanos = System.nanoTime() - bodyStart;
      if (!(result instanceof Path out)) {
        throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, spec.displayName()
            + " returned " + (result == null ? "null" : result.getClass().getName()) + "; a task returns the Path of "
            + "the file or directory it wrote");
      }
      long importStart = System.nanoTime();
      FileSpec output = importOutput(spec, out.toAbsolutePath().normalize(), scratch);
      return new TaskOutcome(spec.taskId(), nodeId, output, null, held, waitNanos, bodyNanos, prepNanos,
          resolveNanos, System.nanoTime() - importStart);
    } catch (IOException | ReflectiveOperationException e) {
      return failure(spec, RemoteError.of(new RayFileException(RayFileException.Code.INVALID_ARGUMENT,
          "cannot run " + spec.displayName() + " on node " + nodeId + ": " + e, e)));
    } finally {
      memory.release(needMem);
      cpus.release(needCpu);
      r.thread.set(null);
      Thread.interrupted(); // a cancellation must not leak into the next task on this worker
      borrowed.forEach(RayFile::close);
      NodeCache.deleteTree(scratch);
    }
  }

  private FileSpec importOutput(TaskSpec spec, Path out, Path scratch) {
    if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, spec.displayName() + " returned "
          + out + ", which does not exist");
    }
    boolean inScratch = out.startsWith(scratch.toAbsolutePath().normalize());
    ImportResult imported = contents.importPath(out, inScratch, false); // scratch shares the store's file system
    ContentInfo c = imported.content();
    pins.pin(spec.outputFileId(), c.id(), spec.owner());
    return NodeAgent.importedSpec(spec.outputFileId(), c, out, "output", spec.owner(), dataAddress);
  }

  /** The static method a task names; private ones too (lambdas compile to private static methods). */
  private static Method method(TaskSpec spec) throws ReflectiveOperationException {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = TaskRunner.class.getClassLoader();
    }
    Class<?> owner = Class.forName(spec.fnClass(), true, loader);
    MethodType type = MethodType.fromMethodDescriptorString(spec.fnDescriptor(), owner.getClassLoader());
    Method m = owner.getDeclaredMethod(spec.fnMethod(), type.parameterArray());
    if (!Modifier.isStatic(m.getModifiers())) {
      throw new NoSuchMethodException(spec.displayName() + " is not static");
    }
    m.setAccessible(true);
    return m;
  }

  private static Object value(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loader)) {
      return in.readObject();
    }
  }

  /** Resolves classes through the task's class loader. */
  private static final class LoaderObjectInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc);
      }
    }
  }

  private TaskOutcome failure(TaskSpec spec, RemoteError error) {
    return new TaskOutcome(spec.taskId(), nodeId, null, error, List.of(), 0, 0, 0, 0, 0);
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof CancellationException) {
      return new RayFileException(RayFileException.Code.CANCELLED, t.getMessage());
    }
    return t;
  }

  @Override
  public void close() {
    workers.shutdownNow();
    running.values().forEach(r -> r.outcome.complete(null));
    log.debug("task runner of {} stopped", nodeId);
  }
}
