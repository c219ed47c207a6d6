package io.rayfile.runtime.node;

import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerDaemon;
import io.rayfile.d7y.peer.PeerSettings;
import io.rayfile.d7y.peer.storage.FileContentStore;
import io.rayfile.runtime.cache.CacheLevel;
import io.rayfile.runtime.cache.LevelCounters;
import io.rayfile.runtime.cache.NodeCache;
import io.rayfile.runtime.cluster.ClusterBoot;
import io.rayfile.runtime.cluster.Members;
import io.rayfile.runtime.cluster.NodeDirectory;
import io.rayfile.runtime.cluster.Roles;
import io.rayfile.runtime.gc.GcActor;
import io.rayfile.runtime.head.HeadAgent;
import io.rayfile.runtime.protocol.NodeDescription;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: a cluster member in the {@code node} role, its peer daemon (store, data plane, downloads,
 * local API) and its workers. The scheduler address comes from the head unless the peer settings name one.
 */
public final class NodeRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeRuntime.class);

  /**
   * @param peer the peer daemon's settings
   * @param head the head's cluster address {@code host:port}
   * @param host the address this member binds for the cluster
   * @param workers tasks run at once (0: one per core, at least 2)
   */
  public record Settings(PeerSettings peer, String head, String host, int workers) {}

  private final ActorSystem<Void> system;
  private final PeerDaemon daemon;
  private final ExecutorService io;
  private final NodeDescription description;

  private NodeRuntime(ActorSystem<Void> system, PeerDaemon daemon, ExecutorService io, NodeDescription d) {
    this.system = system;
    this.daemon = daemon;
    this.io = io;
    this.description = d;
  }

  public static NodeRuntime start(Settings s) {
    ActorSystem<Void> system = ClusterBoot.start(Behaviors.empty(),
        ClusterBoot.config(Roles.NODE, s.host(), 0, s.head()));
    PeerDaemon daemon = null;
    try {
      PeerSettings peer = s.peer();
      if (peer.schedulers().isEmpty()) {
        peer = peer.withSchedulers(List.of(HostPort.parse(HeadAgent.find(system, ClusterBoot.joinTimeout(system)).scheduler())));
      }
      daemon = PeerDaemon.start(peer, FileContentStore::open);
      int workers = s.workers() > 0 ? s.workers() : Math.max(2, Runtime.getRuntime().availableProcessors());
      Map<String, String> labels = new LinkedHashMap<>();
      if (!peer.labels().region().isEmpty()) {
        labels.put("region", peer.labels().region());
      }
      if (!peer.labels().zone().isEmpty()) {
        labels.put("zone", peer.labels().zone());
      }
      if (!peer.labels().nodepool().isEmpty()) {
        labels.put("nodepool", peer.labels().nodepool());
      }
      NodeDescription d = new NodeDescription(daemon.hostId(), hostName(), daemon.dataAddress().toString(),
          daemon.apiAddress().toString(), labels, workers, Members.self(system), Runtime.getRuntime().maxMemory());
      ExecutorService io = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "rayfile-node-io");
        t.setDaemon(true);
        return t;
      });
      Path data = peer.dataDir().toAbsolutePath();
      LevelCounters levels = new LevelCounters();
      for (CacheLevel level : CacheLevel.values()) { // on the daemon's /metrics, next to its transfer counters
        daemon.metrics().functionCounter("rayfile.runtime.cache.hits", "Lookups served at this cache level",
            "level", level.key(), levels, l -> l.hits(level));
        daemon.metrics().functionCounter("rayfile.runtime.cache.misses", "Lookups that went past this cache level",
            "level", level.key(), levels, l -> l.misses(level));
      }
      NodeCache cache = new NodeCache(daemon.contents(), data.resolve("jobs"), levels);
      Path scratch = data.resolve("scratch");
      NodeCache.deleteTree(scratch); // what a previous incarnation left behind
      NodeCache.deleteTree(data.resolve("jobs"));
      NodeDirectory directory = NodeDirectory.follow(system);
      NodeGc gc = new NodeGc(daemon.contents(), directory);
      long anchor = Members.head(system).orElseThrow(() -> new IllegalStateException("no head in the cluster"));
      Duration retry = system.settings().config().getDuration("rayfile.gc-retry-interval");
      ActorRef<GcActor.Command> gcActor = system.systemActorOf(GcActor.create(anchor, retry, gc::apply),
          "rayfile-gc", Props.empty());
      gc.attach(gcActor);
      system.systemActorOf(NodeAgent.create(new NodeAgent.Parts(d, daemon.contents(), cache, scratch, io, gc)),
          "rayfile-node", Props.empty());
      log.info("node {} joined the cluster at {} with {} workers", d.nodeId(), s.head(), workers);
      return new NodeRuntime(system, daemon, io, d);
    } catch (RuntimeException e) {
      system.terminate();
      if (daemon != null) {
        daemon.close();
      }
      throw e;
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  public NodeDescription description() {
    return description;
  }

  public PeerDaemon daemon() {
    return daemon;
  }

  /** Blocks until the node's actor system terminates. */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  /** Leaves the cluster, stops the workers and the daemon. */
  @Override
  public void close() {
    try {
      Cluster.get(system).manager().tell(Leave.create(Cluster.get(system).selfMember().address()));
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("actor system did not stop cleanly", e);
    }
    io.shutdownNow();
    daemon.close();
  }
}
