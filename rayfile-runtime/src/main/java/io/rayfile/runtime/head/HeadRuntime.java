package io.rayfile.runtime.head;

import io.rayfile.d7y.scheduler.SchedulerServer;
import io.rayfile.d7y.scheduler.SchedulerSettings;
import io.rayfile.gc.GcEffect;
import io.rayfile.runtime.cluster.ClusterBoot;
import io.rayfile.runtime.cluster.Members;
import io.rayfile.runtime.cluster.NodeDirectory;
import io.rayfile.runtime.cluster.Roles;
import io.rayfile.runtime.gc.GcActor;
import io.rayfile.runtime.node.NodeAgent;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A running head: the P2P scheduler (gRPC), the cluster's seed member, the job registry and the GC anchor (owner of
 * job- and detached-lifetime files).
 *
 * <pre>{@code
 * try (HeadRuntime head = HeadRuntime.start(new HeadRuntime.Settings("127.0.0.1", 2552, 0, SchedulerSettings.defaults()))) {
 *   head.awaitTermination();
 * }
 * }</pre>
 */
public final class HeadRuntime implements AutoCloseable {

  /**
   * @param host the address to bind and advertise
   * @param port the cluster port (0: any free one; nodes and drivers join here)
   * @param schedulerPort the scheduler's gRPC port (0: any free one)
   * @param scheduler scheduler tuning
   */
  public record Settings(String host, int port, int schedulerPort, SchedulerSettings scheduler) {}

  private final ActorSystem<Void> system;
  private final SchedulerServer scheduler;
  private final String address;

  private HeadRuntime(ActorSystem<Void> system, SchedulerServer scheduler, String address) {
    this.system = system;
    this.scheduler = scheduler;
    this.address = address;
  }

  public static HeadRuntime start(Settings s) throws IOException {
    SchedulerServer scheduler = SchedulerServer.start(s.schedulerPort(), s.scheduler());
    try {
      ActorSystem<Void> system = ClusterBoot.start(Behaviors.empty(),
          ClusterBoot.config(Roles.HEAD, s.host(), s.port(), null));
      String self = ClusterBoot.address(system);
      NodeDirectory nodes = NodeDirectory.follow(system);
      Duration retry = system.settings().config().getDuration("rayfile.gc-retry-interval");
      ActorRef<GcActor.Command> anchor = system.systemActorOf(GcActor.create(Members.self(system), retry, e -> {
        if (e instanceof GcEffect.Freed) {
          nodes.broadcast(new NodeAgent.Unpin(List.of(e.file().value())));
        }
      }), "rayfile-gc", Props.empty());
      system.systemActorOf(HeadAgent.create(s.host() + ":" + scheduler.port(), anchor), "rayfile-head",
          Props.empty());
      return new HeadRuntime(system, scheduler, self);
    } catch (RuntimeException e) {
      scheduler.close();
      throw e;
    }
  }

  /** Where nodes and drivers join: {@code host:port}. */
  public String address() {
    return address;
  }

  /** The scheduler's gRPC port. */
  public int schedulerPort() {
    return scheduler.port();
  }

  public SchedulerServer scheduler() {
    return scheduler;
  }

  /** Blocks until the head's actor system terminates. */
  public void awaitTermination() throws InterruptedException {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  @Override
  public void close() {
    Cluster.get(system).manager().tell(org.apache.pekko.cluster.typed.Leave.create(
        Cluster.get(system).selfMember().address()));
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // best effort: the scheduler closes anyway
    }
    scheduler.close();
  }
}
