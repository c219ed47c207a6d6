package io.rayfile.api;

import io.rayfile.api.spi.HandleBinding;
import io.rayfile.api.spi.RuntimeProvider;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * An immutable handle to a file object: a file or a directory tree, content-addressed ({@link #id()} is
 * {@code sha256:<hex>}), resolvable to a local path on any node of the cluster.
 *
 * <p>A handle is a counted reference. {@link #close()} drops this process's reference; when every handle in the
 * cluster is dropped (and no pending task uses the file) the owner frees it and every node unpins its copy. A
 * handle the program forgets is released by a {@link Cleaner} once it is unreachable, but closing is the
 * deterministic way. A handle passed to a task as a {@code RayFile} argument travels as a borrow: the node running
 * the task holds its own reference until the task returns. A handle serialized any other way (inside a value)
 * arrives unbound: it names the file but holds no reference ({@link #isBound()}).
 *
 * <p>Entry points: {@link #connect(String)} joins a running cluster, {@link #local(int)} starts one in this JVM.
 *
 * <pre>{@code
 * try (RayFileRuntime rt = RayFile.local(2);
 *      RayFile model = rt.put(Path.of("model/"))) {
 *   Path dir = rt.fetch(model).join();   // the directory, materialized read-only
 * }
 * }</pre>
 */
public final class RayFile implements AutoCloseable, Serializable {
  @Serial private static final long serialVersionUID = 1L;
  private static final Cleaner CLEANER = Cleaner.create();

  private final HandleInfo info;
  private final transient Cleaner.Cleanable cleanable;

  /**
   * Binds a handle to the reference its runtime counted for it. For runtimes: applications get handles from
   * {@link RayFileRuntime#put}, {@link FileRef#get()} and task arguments.
   *
   * @param info what the handle names
   * @param release called exactly once, when the handle is closed or cleaned; {@code null} for an unbound handle
   *     that holds no reference (see {@link #isBound()})
   */
  public RayFile(HandleInfo info, Runnable release) {
    this.info = Objects.requireNonNull(info, "info");
    // Cleanable.clean() runs the action at most once, whether from close() or from the cleaner thread.
    this.cleanable = release == null ? null : CLEANER.register(this, release);
  }

  /**
   * Joins the cluster whose head listens at {@code headAddress} ({@code host:port}) as a driver.
   *
   * @throws RayFileException UNAVAILABLE when no runtime is on the class path or the head cannot be reached
   */
  public static RayFileRuntime connect(String headAddress) {
    return provider().connect(headAddress);
  }

  /**
   * Starts a cluster of {@code nodes} nodes inside this JVM (a head, the nodes, and this process as the driver),
   * each node with its own loopback ports and temporary data directory; closing the runtime stops it all. Meant for
   * tests and demos.
   */
  public static RayFileRuntime local(int nodes) {
    if (nodes < 1) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "a local cluster needs at least 1 node, got "
          + nodes);
    }
    return provider().local(nodes);
  }

  private static RuntimeProvider provider() {
    return ServiceLoader.load(RuntimeProvider.class).findFirst().orElseThrow(() -> new RayFileException(
        RayFileException.Code.UNAVAILABLE, "no RayFile runtime on the class path: add io.rayfile:rayfile-runtime"));
  }

  /** The content id, {@code sha256:<hex>}. */
  public String id() {
    return info.id();
  }

  /** File or directory. */
  public FileKind kind() {
    return info.kind();
  }

  /** Bytes of the file, or of every file of the directory. */
  public long size() {
    return info.size();
  }

  /** The name it was created with. */
  public String name() {
    return info.name();
  }

  /** The process that owns it. */
  public String owner() {
    return info.owner();
  }

  /** Everything the handle names, as one value. */
  public HandleInfo info() {
    return info;
  }

  /** False for a handle that counts no reference (deserialized outside a runtime call). */
  public boolean isBound() {
    return cleanable != null;
  }

  /** Drops this handle's reference. Idempotent. */
  @Override
  public void close() {
    if (cleanable != null) {
      cleanable.clean();
    }
  }

  @Serial
  private Object writeReplace() throws ObjectStreamException {
    return new Wire(info);
  }

  /** The serialized form: the description only; the receiving side binds a reference of its own. */
  private record Wire(HandleInfo info) implements Serializable {
    @Serial
    private Object readResolve() throws ObjectStreamException {
      return HandleBinding.bind(info);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RayFile other && other.info.equals(info);
  }

  @Override
  public int hashCode() {
    return info.hashCode();
  }

  @Override
  public String toString() {
    return "RayFile[" + info.id() + " " + info.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + info.name()
        + ", " + info.size() + " bytes]";
  }
}
