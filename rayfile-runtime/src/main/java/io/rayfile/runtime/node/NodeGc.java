package io.rayfile.runtime.node;

import io.rayfile.gc.FileId;
import io.rayfile.gc.GcEffect;
import io.rayfile.runtime.cluster.NodeDirectory;
import io.rayfile.runtime.gc.GcActor;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A node's side of reference counting: it borrows the handles passed to its tasks, and when an owner dies it
 * drops the pins of that owner's files (see {@link FilePins}).
 */
public final class NodeGc {
  private final FilePins pins;
  private final Borrows borrows = new Borrows();
  private final NodeDirectory directory;
  private volatile ActorRef<GcActor.Command> actor;

  public NodeGc(io.rayfile.d7y.peer.NodeContents contents, NodeDirectory directory) {
    this.pins = new FilePins(contents);
    this.directory = directory;
  }

  /** Connects the process's GC actor (spawned with {@link #apply} as its effect handler). */
  public void attach(ActorRef<GcActor.Command> gc) {
    this.actor = gc;
  }

  FilePins pins() {
    return pins;
  }

  Borrows borrows() {
    return borrows;
  }

  /** A task finished with a borrowed handle: drop its reference. */
  void releaseBorrow(long fileId) {
    actor.tell(new GcActor.Op(n -> n.removeLocalRef(new FileId(fileId))));
  }

  /** Applies a GC effect (on the GC actor's thread). */
  public void apply(GcEffect effect) {
    long file = effect.file().value();
    if (effect instanceof GcEffect.Accepted) {
      borrows.accepted(file);
    } else if (effect instanceof GcEffect.Rejected) {
      borrows.voided(file, "a handle passed to this node is void: its file " + effect.file() + " was freed");
    } else if (effect instanceof GcEffect.Lost) {
      borrows.voided(file, "the owner of file " + effect.file() + " died; the file died with it");
      pins.unpin(file);
    } else if (effect instanceof GcEffect.Freed) {
      directory.broadcast(new NodeAgent.Unpin(List.of(file)));
    }
  }
}
