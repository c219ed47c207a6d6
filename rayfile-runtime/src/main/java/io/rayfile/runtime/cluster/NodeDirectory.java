package io.rayfile.runtime.cluster;

import io.rayfile.runtime.node.NodeAgent;
import io.rayfile.runtime.protocol.NodeDescription;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The nodes of the cluster as this process sees them: the receptionist's listing of node agents, each described
 * once. Readable from any thread.
 */
public final class NodeDirectory {

  /** A node: its agent and what it said about itself. */
  public record Node(ActorRef<NodeAgent.Command> agent, NodeDescription description) {
    public String id() {
      return description.nodeId();
    }
  }

  private final Map<ActorRef<NodeAgent.Command>, Node> nodes = new ConcurrentHashMap<>();
  private final ActorSystem<?> system;

  private NodeDirectory(ActorSystem<?> system) {
    this.system = system;
  }

  /** Starts following the node agents of {@code system}'s cluster. */
  public static NodeDirectory follow(ActorSystem<?> system) {
    NodeDirectory d = new NodeDirectory(system);
    system.systemActorOf(d.watcher(), "rayfile-node-directory", Props.empty());
    return d;
  }

  private Behavior<Receptionist.Listing> watcher() {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(NodeAgent.KEY, ctx.getSelf()));
      return Behaviors.receiveMessage(listing -> {
        // All instances, reachable or not: a node that misses heartbeats under load is still a member (and still
        // holds its copies) until the split-brain resolver removes it.
        Set<ActorRef<NodeAgent.Command>> now = new HashSet<>(listing.getAllServiceInstances(NodeAgent.KEY));
        nodes.keySet().retainAll(now);
        for (ActorRef<NodeAgent.Command> ref : now) {
          if (!nodes.containsKey(ref)) {
            AskPattern.<NodeAgent.Command, NodeDescription>ask(ref, NodeAgent.Describe::new, Duration.ofSeconds(10),
                    ctx.getSystem().scheduler())
                .thenAccept(desc -> {
                  if (now.contains(ref)) {
                    nodes.put(ref, new Node(ref, desc));
                  }
                });
          }
        }
        return Behaviors.same();
      });
    });
  }

  /** The nodes known now, ordered by id. */
  public List<Node> nodes() {
    return nodes.values().stream().sorted(Comparator.comparing(Node::id)).toList();
  }

  /** The node with this id. */
  public Optional<Node> byId(String nodeId) {
    return nodes.values().stream().filter(n -> n.id().equals(nodeId)).findFirst();
  }

  /** The node whose process has this id. */
  public Optional<Node> byPid(long pid) {
    return nodes.values().stream().filter(n -> n.description().pid() == pid).findFirst();
  }

  /** Tells every node. */
  public void broadcast(NodeAgent.Command message) {
    nodes.keySet().forEach(ref -> ref.tell(message));
  }

  /** Waits until at least {@code n} nodes are known, or {@code timeout}. */
  public boolean awaitNodes(int n, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (nodes.size() < n) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  public ActorSystem<?> system() {
    return system;
  }
}
