package io.rayfile.runtime.cluster;

import java.util.Optional;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Process ids: each member incarnation's unique address uid. A restarted process gets a new one, which is what
 * gc-protocol requires of a {@code ProcessId}.
 */
public final class Members {
  private Members() {}

  /** This process's id. */
  public static long self(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().uniqueAddress().longUid();
  }

  /** The id of the process hosting {@code ref}, if it is a current member. */
  public static Optional<Long> pidOf(ActorSystem<?> system, ActorRef<?> ref) {
    Address address = ref.path().address();
    if (address.hasLocalScope()) {
      return Optional.of(self(system));
    }
    return member(system, address).map(m -> m.uniqueAddress().longUid());
  }

  /** The current member at {@code address}. */
  public static Optional<Member> member(ActorSystem<?> system, Address address) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.address().equals(address)).findFirst();
  }

  /** The head's process id (the oldest member with the head role). */
  public static Optional<Long> head(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.hasRole(Roles.HEAD))
        .reduce((a, b) -> a.isOlderThan(b) ? a : b)
        .map(m -> m.uniqueAddress().longUid());
  }
}
