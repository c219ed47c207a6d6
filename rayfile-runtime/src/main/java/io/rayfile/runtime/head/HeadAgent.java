package io.rayfile.runtime.head;

import io.rayfile.api.RayFileException;
import io.rayfile.gc.JobId;
import io.rayfile.runtime.cluster.Wire;
import io.rayfile.runtime.gc.GcActor;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The head's front door: tells members where the P2P scheduler listens, and keeps the job registry (jobs end when
 * their driver says so or leaves the cluster; the GC anchor then unpins their job-lifetime files).
 */
public final class HeadAgent {
  /** The head's agent registers under this key. */
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "rayfile-head");

  /** What the head agent handles. */
  public sealed interface Command permits GetInfo, EndJob, DriverGone {}

  /** Asks where the scheduler is. */
  public record GetInfo(ActorRef<HeadInfo> replyTo) implements Command, Wire {}

  /** The answer: the scheduler's gRPC {@code host:port}. */
  public record HeadInfo(String scheduler) implements Wire {}

  /** A driver's job ended. */
  public record EndJob(long job) implements Command, Wire {}

  private record DriverGone(ClusterEvent.MemberRemoved event) implements Command {}

  private HeadAgent() {}

  static Behavior<Command> create(String scheduler, ActorRef<GcActor.Command> anchor) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, DriverGone::new), ClusterEvent.MemberRemoved.class));
      return Behaviors.receive(Command.class)
          .onMessage(GetInfo.class, m -> {
            m.replyTo().tell(new HeadInfo(scheduler));
            return Behaviors.same();
          })
          .onMessage(EndJob.class, m -> {
            anchor.tell(new GcActor.Op(n -> n.jobEnded(new JobId(m.job()), System.nanoTime() / 1_000_000)));
            return Behaviors.same();
          })
          .onMessage(DriverGone.class, m -> {
            // A driver's job is named after its process id; a driver that vanished ended its job.
            long pid = m.event().member().uniqueAddress().longUid();
            anchor.tell(new GcActor.Op(n -> n.jobEnded(new JobId(pid), System.nanoTime() / 1_000_000)));
            return Behaviors.same();
          })
          .build();
    });
  }

  /** Finds the head of {@code system}'s cluster and asks for its info, retrying until {@code timeout}. */
  public static HeadInfo find(ActorSystem<?> system, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
            (ActorRef<Receptionist.Listing> r) -> Receptionist.find(KEY, r), Duration.ofSeconds(5),
            system.scheduler());
        Set<ActorRef<Command>> heads = listing.toCompletableFuture().get(6, TimeUnit.SECONDS)
            .getServiceInstances(KEY);
        if (!heads.isEmpty()) {
          return AskPattern.<Command, HeadInfo>ask(heads.iterator().next(), GetInfo::new, Duration.ofSeconds(5),
              system.scheduler()).toCompletableFuture().get(6, TimeUnit.SECONDS);
        }
      } catch (ExecutionException | TimeoutException e) {
        // retry until the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RayFileException(RayFileException.Code.UNAVAILABLE, "interrupted while looking for the head");
      }
      if (System.nanoTime() > end) {
        throw new RayFileException(RayFileException.Code.UNAVAILABLE, "no RayFile head answered within "
            + timeout.toSeconds() + " s");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RayFileException(RayFileException.Code.UNAVAILABLE, "interrupted while looking for the head");
      }
    }
  }
}
