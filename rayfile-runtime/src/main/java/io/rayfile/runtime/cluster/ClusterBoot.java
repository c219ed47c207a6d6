package io.rayfile.runtime.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rayfile.api.RayFileException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/** Starts an actor system in one role and joins the cluster whose head listens at a seed address. */
public final class ClusterBoot {
  /** The name every member's actor system shares (Pekko only forms clusters of same-named systems). */
  public static final String SYSTEM = "rayfile";

  private ClusterBoot() {}

  /**
   * The configuration of one member.
   *
   * @param role {@link Roles}
   * @param host the address to bind and advertise
   * @param port the port (0: any free one)
   * @param seed the head's {@code host:port}, or null for the head itself (it joins itself once bound)
   */
  public static Config config(String role, String host, int port, String seed) {
    return ConfigFactory.parseMap(Map.of(
            "pekko.remote.artery.canonical.hostname", host,
            "pekko.remote.artery.canonical.port", port,
            "pekko.cluster.roles", List.of(role),
            "pekko.cluster.seed-nodes", seed == null ? List.of() : List.of("pekko://" + SYSTEM + "@" + seed)))
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResources(ClusterBoot.class, "/rayfile-pekko.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  /** How long a member waits to join and to find the head ({@code rayfile.join-timeout}). */
  public static Duration joinTimeout(ActorSystem<?> system) {
    return system.settings().config().getDuration("rayfile.join-timeout");
  }

  /** {@code host:port} of this member, as others join or reach it. */
  public static String address(ActorSystem<?> system) {
    org.apache.pekko.actor.Address a = Cluster.get(system).selfMember().address();
    return a.getHost().orElseThrow() + ":" + a.getPort().orElseThrow();
  }

  /** Starts the system and waits until this member is Up, at most {@code rayfile.join-timeout}. */
  public static <T> ActorSystem<T> start(Behavior<T> guardian, Config config) {
    Duration timeout = config.getDuration("rayfile.join-timeout");
    ActorSystem<T> system = ActorSystem.create(guardian, SYSTEM, config);
    CompletableFuture<Void> up = new CompletableFuture<>();
    Cluster cluster = Cluster.get(system);
    cluster.subscriptions().tell(Subscribe.create(system.systemActorOf(
        Behaviors.<ClusterEvent.MemberUp>receive((ctx, msg) -> {
          if (msg.member().uniqueAddress().equals(cluster.selfMember().uniqueAddress())) {
            up.complete(null);
          }
          return Behaviors.same();
        }), "rayfile-up", org.apache.pekko.actor.typed.Props.empty()), ClusterEvent.MemberUp.class));
    if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(org.apache.pekko.cluster.typed.Join.create(cluster.selfMember().address()));
    }
    try {
      if (cluster.selfMember().status() != MemberStatus.up()) {
        up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      return system;
    } catch (Exception e) {
      system.terminate();
      throw new RayFileException(RayFileException.Code.UNAVAILABLE, "could not join the RayFile cluster at "
          + config.getStringList("pekko.cluster.seed-nodes") + " within " + timeout.toSeconds()
          + " s: is the head running there? (" + e + ")", e);
    }
  }
}
