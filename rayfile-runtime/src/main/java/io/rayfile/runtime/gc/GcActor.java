package io.rayfile.runtime.gc;

import io.rayfile.gc.GcEffect;
import io.rayfile.gc.GcMessage;
import io.rayfile.gc.GcNode;
import io.rayfile.gc.GcSettings;
import io.rayfile.gc.OwnershipGcNode;
import io.rayfile.gc.Output;
import io.rayfile.gc.ProcessId;
import io.rayfile.runtime.cluster.Members;
import io.rayfile.runtime.cluster.Wire;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
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
 * Runs one process's gc-protocol state machine: applies local operations and remote messages, sends the
 * resulting messages to the other processes' GC actors (found through the receptionist), turns membership removals
 * into {@code memberDied}, ticks on a timer, and hands effects to the process.
 */
public final class GcActor {
  private static final Logger log = LoggerFactory.getLogger(GcActor.class);

  /** Every process's GC actor registers under this key. */
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "rayfile-gc");

  /** What the actor handles. */
  public sealed interface Command permits Op, Remote, Peers, Removed, Tick {}

  /** A local operation on the state machine (never crosses processes). */
  public record Op(Function<GcNode, Output> op) implements Command {}

  /** A GC message from another process. */
  public record Remote(GcWire message) implements Command, Wire {}

  private record Peers(Receptionist.Listing listing) implements Command {}

  private record Removed(ClusterEvent.MemberRemoved event) implements Command {}

  private enum Tick implements Command { INSTANCE }

  private final ActorContext<Command> ctx;
  private final GcNode gc;
  private final Consumer<GcEffect> effects;
  private final Map<Long, ActorRef<Command>> peers = new HashMap<>();

  private GcActor(ActorContext<Command> ctx, GcNode gc, Consumer<GcEffect> effects) {
    this.ctx = ctx;
    this.gc = gc;
    this.effects = effects;
  }

  /**
   * @param anchor the head's process id (owns job and detached files)
   * @param effects applied on the actor's thread: must not block
   */
  public static Behavior<Command> create(long anchor, Duration retry, Consumer<GcEffect> effects) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      long self = Members.self(ctx.getSystem());
      GcNode gc = new OwnershipGcNode(new ProcessId(self), new GcSettings(new ProcessId(anchor), retry.toMillis()));
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY,
          ctx.messageAdapter(Receptionist.Listing.class, Peers::new)));
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, Removed::new), ClusterEvent.MemberRemoved.class));
      timers.startTimerWithFixedDelay(Tick.INSTANCE, retry);
      return new GcActor(ctx, gc, effects).behavior();
    }));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Op.class, m -> apply(m.op().apply(gc)))
        .onMessage(Remote.class, m -> {
          GcMessage message;
          try {
            message = m.message().toMessage();
          } catch (RuntimeException e) {
            log.warn("dropped a malformed GC message: {}", e.getMessage());
            return Behaviors.same();
          }
          return apply(gc.receive(message, now()));
        })
        .onMessage(Peers.class, m -> {
          peers.clear();
          for (ActorRef<Command> ref : m.listing().getServiceInstances(KEY)) {
            Members.pidOf(ctx.getSystem(), ref).ifPresent(pid -> peers.put(pid, ref));
          }
          return Behaviors.same();
        })
        .onMessage(Removed.class, m -> {
          long pid = m.event().member().uniqueAddress().longUid();
          peers.remove(pid);
          return apply(gc.memberDied(new ProcessId(pid), now()));
        })
        .onMessage(Tick.class, m -> apply(gc.tick(now())))
        .build();
  }

  private Behavior<Command> apply(Output out) {
    for (GcMessage m : out.messages()) {
      ActorRef<Command> to = peers.get(m.to().value());
      if (to == null) {
        // Not known yet (the receptionist lags) or gone: the state machine re-sends until answered or declared dead.
        log.debug("no GC peer {} yet for {}", m.to(), m);
        continue;
      }
      to.tell(new Remote(GcWire.of(m)));
    }
    for (GcEffect e : out.effects()) {
      try {
        effects.accept(e);
      } catch (RuntimeException ex) {
        log.warn("applying {} failed", e, ex);
      }
    }
    return Behaviors.same();
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
