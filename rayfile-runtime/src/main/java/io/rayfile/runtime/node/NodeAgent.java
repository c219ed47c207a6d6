package io.rayfile.runtime.node;

import io.rayfile.api.FileKind;
import io.rayfile.d7y.peer.NodeContents;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.ContentInfo;
import io.rayfile.d7y.peer.storage.ContentKind;
import io.rayfile.d7y.peer.storage.ImportResult;
import io.rayfile.d7y.peer.storage.StoreUsage;
import io.rayfile.runtime.cache.NodeCache;
import io.rayfile.runtime.cluster.Wire;
import io.rayfile.runtime.protocol.FileSpec;
import io.rayfile.runtime.protocol.NodeDescription;
import io.rayfile.runtime.protocol.NodeStats;
import io.rayfile.runtime.protocol.RemoteError;
import io.rayfile.runtime.protocol.TaskOutcome;
import io.rayfile.runtime.protocol.TaskSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's front door in the cluster: runs tasks, imports drivers' files, materializes files for drivers on this
 * host, drops pins of freed files and of dead owners, and reports its counters. Blocking work (imports, hard
 * links) runs on an I/O executor, never on the actor.
 */
public final class NodeAgent {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  /** Every node's agent registers under this key. */
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "rayfile-node");

  /** What a node agent handles. */
  public sealed interface Command permits Describe, RunTask, CancelTask, ImportPath, Materialize, Preheat, Unpin,
      JobEnded, GetStats, MemberGone {}

  /** Asks for the node's description. */
  public record Describe(ActorRef<NodeDescription> replyTo) implements Command, Wire {}

  /** Runs a task; the outcome goes to {@code replyTo}. */
  public record RunTask(TaskSpec spec, ActorRef<TaskOutcome> replyTo) implements Command, Wire {}

  /** Cancels a task waiting or running here. */
  public record CancelTask(long taskId) implements Command, Wire {}

  /** Imports a path on this host as file {@code fileId} owned by {@code owner}, pinned for it. */
  public record ImportPath(String path, long fileId, long owner, boolean move, ActorRef<Imported> replyTo)
      implements Command, Wire {}

  /** The answer to {@link ImportPath}: the file, or why not. */
  public record Imported(FileSpec file, RemoteError error) implements Wire {}

  /**
   * Makes {@code file} local and pins it for its owner; with a {@code jobId}, also materializes it for that job and
   * answers its path.
   */
  public record Materialize(FileSpec file, String jobId, ActorRef<Materialized> replyTo) implements Command, Wire {}

  /** The answer to {@link Materialize}: the path (empty without a job) and the level it came from, or why not. */
  public record Materialized(String path, String level, RemoteError error) implements Wire {}

  /** Fetches a content ahead of need, without pinning it (it stays as evictable cache). */
  public record Preheat(String contentId, List<String> seeds, ActorRef<Materialized> replyTo)
      implements Command, Wire {}

  /** These files were freed by their owner: drop their pins here. */
  public record Unpin(List<Long> fileIds) implements Command, Wire {}

  /** A job ended: delete what was materialized for it. */
  public record JobEnded(String jobId) implements Command, Wire {}

  /** Asks for the node's counters. */
  public record GetStats(ActorRef<NodeStats> replyTo) implements Command, Wire {}

  private record MemberGone(ClusterEvent.MemberRemoved event) implements Command {}

  private final NodeDescription self;
  private final NodeContents contents;
  private final NodeCache cache;
  private final FilePins pins;
  private final TaskRunner runner;
  private final Executor io;
  private final Map<String, Long> jobOwners = new ConcurrentHashMap<>();

  private NodeAgent(NodeDescription self, NodeContents contents, NodeCache cache, FilePins pins, TaskRunner runner,
      Executor io) {
    this.self = self;
    this.contents = contents;
    this.cache = cache;
    this.pins = pins;
    this.runner = runner;
    this.io = io;
  }

  /** The parts a node agent works with. */
  public record Parts(NodeDescription self, NodeContents contents, NodeCache cache, Path scratchRoot, Executor io,
      NodeGc gc) {}

  public static Behavior<Command> create(Parts p) {
    return Behaviors.setup(ctx -> {
      FilePins pins = p.gc().pins();
      TaskRunner runner = new TaskRunner(p.self().nodeId(), p.self().dataAddress(), p.contents(), p.cache(), pins,
          p.gc().borrows(), p.gc()::releaseBorrow, p.scratchRoot(), p.self().workers());
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, MemberGone::new), ClusterEvent.MemberRemoved.class));
      NodeAgent agent = new NodeAgent(p.self(), p.contents(), p.cache(), pins, runner, p.io());
      return Behaviors.receive(Command.class)
          .onMessage(Describe.class, m -> {
            m.replyTo().tell(agent.self);
            return Behaviors.same();
          })
          .onMessage(RunTask.class, m -> {
            agent.jobOwners.putIfAbsent(m.spec().jobId(), m.spec().owner());
            agent.runner.submit(m.spec()).thenAccept(o -> {
              if (o != null) {
                m.replyTo().tell(o);
              }
            });
            return Behaviors.same();
          })
          .onMessage(CancelTask.class, m -> {
            agent.runner.cancel(m.taskId());
            return Behaviors.same();
          })
          .onMessage(ImportPath.class, m -> agent.importPath(m))
          .onMessage(Materialize.class, m -> agent.materialize(m))
          .onMessage(Preheat.class, m -> {
            FileSpec f = new FileSpec(0, m.contentId(), FileKind.FILE, 0, "preheat", 0, m.seeds());
            agent.cache.prepare(f).whenComplete((level, err) -> m.replyTo().tell(err == null
                ? new Materialized("", level.key(), null) : new Materialized("", "",
                    RemoteError.of(NodeCache.toApi(f, err)))));
            return Behaviors.same();
          })
          .onMessage(Unpin.class, m -> {
            m.fileIds().forEach(agent.pins::unpin);
            return Behaviors.same();
          })
          .onMessage(JobEnded.class, m -> {
            agent.jobOwners.remove(m.jobId());
            agent.io.execute(() -> agent.cache.jobEnded(m.jobId()));
            return Behaviors.same();
          })
          .onMessage(GetStats.class, m -> {
            m.replyTo().tell(agent.stats());
            return Behaviors.same();
          })
          .onMessage(MemberGone.class, m -> agent.memberGone(m.event().member().uniqueAddress().longUid()))
          .onSignal(org.apache.pekko.actor.typed.PostStop.class, s -> {
            agent.runner.close();
            return Behaviors.same();
          })
          .build();
    });
  }

  private Behavior<Command> importPath(ImportPath m) {
    io.execute(() -> {
      try {
        ImportResult r = contents.importPath(Path.of(m.path()), m.move(), false);
        ContentInfo c = r.content();
        pins.pin(m.fileId(), c.id(), m.owner());
        m.replyTo().tell(new Imported(importedSpec(m.fileId(), c, Path.of(m.path()), "file", m.owner(),
            self.dataAddress()), null));
      } catch (RuntimeException e) {
        m.replyTo().tell(new Imported(null, RemoteError.of(e)));
      }
    });
    return Behaviors.same();
  }

  private Behavior<Command> materialize(Materialize m) {
    FileSpec f = m.file();
    cache.prepare(f).whenCompleteAsync((level, err) -> {
      if (err != null) {
        m.replyTo().tell(new Materialized("", "", RemoteError.of(NodeCache.toApi(f, err))));
        return;
      }
      try {
        pins.pin(f.fileId(), ContentId.parse(f.contentId()), f.owner());
        String path = m.jobId() == null || m.jobId().isEmpty() ? "" : cache.resolve(f, m.jobId(), level).toString();
        m.replyTo().tell(new Materialized(path, level.key(), null));
      } catch (RuntimeException e) {
        m.replyTo().tell(new Materialized("", "", RemoteError.of(NodeCache.toApi(f, e))));
      }
    }, io);
    return Behaviors.same();
  }

  private Behavior<Command> memberGone(long pid) {
    int dropped = pins.ownerGone(pid); // fate-sharing: an owner-lifetime file dies with its owner
    if (dropped > 0) {
      log.info("owner {} left the cluster: dropped the pins of its {} files", pid, dropped);
    }
    jobOwners.forEach((job, owner) -> {
      if (owner == pid) {
        jobOwners.remove(job);
        io.execute(() -> cache.jobEnded(job));
      }
    });
    return Behaviors.same();
  }

  private NodeStats stats() {
    StoreUsage u = contents.store().usage();
    return new NodeStats(self.nodeId(), u.pinnedBytes(), u.usedBytes(), u.contentCount(), pins.size(),
        cache.counters().hits(), cache.counters().misses(), runner.finished(), runner.running());
  }

  /**
   * The description of content {@code c}, just imported on this node from {@code source} as file object
   * {@code fileId} (a put or a task's output): this node is its first seed.
   */
  static FileSpec importedSpec(long fileId, ContentInfo c, Path source, String fallbackName, long owner,
      String dataAddress) {
    Path name = source.getFileName();
    return new FileSpec(fileId, c.id().toString(), kind(c), size(c), name == null ? fallbackName : name.toString(),
        owner, List.of(dataAddress));
  }

  static FileKind kind(ContentInfo c) {
    return c.kind() == ContentKind.DIRECTORY ? FileKind.DIRECTORY : FileKind.FILE;
  }

  static long size(ContentInfo c) {
    return c.kind() == ContentKind.DIRECTORY ? c.treeBytes() : c.length();
  }
}
