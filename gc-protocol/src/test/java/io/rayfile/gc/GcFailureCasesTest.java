package io.rayfile.gc;

import static io.rayfile.gc.TestCluster.from;
import static io.rayfile.gc.TestCluster.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.gc.GcEffect.Accepted;
import io.rayfile.gc.GcEffect.Freed;
import io.rayfile.gc.GcEffect.Lost;
import io.rayfile.gc.GcEffect.Rejected;
import io.rayfile.gc.GcMessage.Pass;
import io.rayfile.gc.GcMessage.PassAck;
import io.rayfile.gc.GcMessage.Query;
import io.rayfile.gc.GcMessage.Register;
import io.rayfile.gc.GcMessage.RegisterReply;
import io.rayfile.gc.GcMessage.ReleaseAck;
import io.rayfile.gc.GcMessage.Status;
import org.junit.jupiter.api.Test;

/** One test per failure case of docs/gc-protocol.md ("Failure cases"), plus the basic flows. */
class GcFailureCasesTest {
  private static final FileId F = new FileId(7);
  private static final int A = 1; // an owner (a worker)
  private static final int B = 2;
  private static final int C = 3;
  private static final int ANCHOR = 0;

  private final TestCluster c = new TestCluster(4);

  private void holdAtAandB() {
    c.at(A, c.node(A).create(F, Lifetime.owner(), c.now));
    c.at(A, c.node(A).passTo(F, c.ids[B], c.now));
    c.deliverAll();
    assertTrue(c.effects(B).contains(new Accepted(F, c.ids[A], 1)));
  }

  private long freedCount(int p) {
    return c.effects(p).stream().filter(Freed.class::isInstance).count();
  }

  @Test
  void ownerFreesAtZeroAfterBorrowerReleases() {
    holdAtAandB();
    c.at(A, c.node(A).removeLocalRef(F));
    assertFalse(c.freed(A, F));
    c.at(B, c.node(B).removeLocalRef(F));
    c.deliverAll();
    assertTrue(c.freed(A, F));
    assertEquals(0, c.node(A).ownedCount());
    assertEquals(0, c.node(B).borrowedCount(), "the borrower forgets the file once the owner acknowledged");
  }

  @Test
  void pendingTaskArgumentKeepsTheFileAndCountsOnce() {
    c.at(A, c.node(A).create(F, Lifetime.owner(), c.now));
    TaskId t = new TaskId(1);
    c.at(A, c.node(A).taskSubmitted(F, t));
    c.at(A, c.node(A).taskSubmitted(F, t)); // repeated report
    c.at(A, c.node(A).removeLocalRef(F));
    assertFalse(c.freed(A, F));
    c.at(A, c.node(A).taskFinished(F, t));
    assertTrue(c.freed(A, F));
    c.at(A, c.node(A).taskFinished(F, t)); // repeated report: nothing more
    assertEquals(1, freedCount(A));
  }

  @Test
  void borrowerCrashCountsAsReleased() {
    holdAtAandB();
    c.at(A, c.node(A).removeLocalRef(F));
    c.died(B, A, C);
    assertTrue(c.freed(A, F));
  }

  @Test
  void lateMessagesFromADeadProcessAreIgnored() {
    holdAtAandB();
    c.at(B, c.node(B).passTo(F, c.ids[C], c.now));
    c.deliver(type(Pass.class)); // C registers with A
    GcMessage register = c.net.get(0);
    assertTrue(register instanceof Register);
    c.net.clear();
    c.at(A, c.node(A).removeLocalRef(F));
    c.died(C, A);
    c.died(B, A);
    assertTrue(c.freed(A, F));
    assertTrue(c.at(A, c.node(A).receive(register, c.now)).isEmpty(), "C is dead: its registration is void");
  }

  @Test
  void ownerCrashFateSharesOwnerLifetimeFiles() {
    holdAtAandB();
    c.died(A, B);
    assertTrue(c.effects(B).contains(new Lost(F)));
    assertEquals(0, c.node(B).borrowedCount());
    assertTrue(c.at(B, c.node(B).removeLocalRef(F)).isEmpty(), "closing a voided handle is harmless");
  }

  @Test
  void creatorCrashDoesNotFreeAJobFileUntilTheJobEnds() {
    JobId job = new JobId(9);
    c.at(A, c.node(A).create(F, Lifetime.job(job), c.now));
    c.at(A, c.node(A).passTo(F, c.ids[B], c.now));
    assertFalse(c.inFlight(Pass.class), "the pass waits until the anchor has adopted the file");
    c.deliverAll(); // Register(adopt) -> anchor; reply; Pass -> B registers with the anchor; acks
    assertTrue(c.effects(B).contains(new Accepted(F, c.ids[A], 1)));
    assertEquals(1, c.node(ANCHOR).ownedCount());
    c.died(A, ANCHOR, B);
    assertTrue(c.effects(B).stream().noneMatch(Lost.class::isInstance), "the creator is not the owner");
    c.at(B, c.node(B).removeLocalRef(F));
    c.deliverAll();
    assertFalse(c.freed(ANCHOR, F), "pinned until the job ends");
    c.at(ANCHOR, c.node(ANCHOR).jobEnded(new JobId(10), c.now));
    assertFalse(c.freed(ANCHOR, F));
    c.at(ANCHOR, c.node(ANCHOR).jobEnded(job, c.now));
    assertTrue(c.freed(ANCHOR, F));
  }

  @Test
  void adoptionArrivingAfterItsJobEndedIsNotPinned() {
    JobId job = new JobId(9);
    c.at(A, c.node(A).create(F, Lifetime.job(job), c.now));
    c.at(ANCHOR, c.node(ANCHOR).jobEnded(job, c.now));
    c.deliverAll();
    c.at(A, c.node(A).removeLocalRef(F));
    c.deliverAll();
    assertTrue(c.freed(ANCHOR, F));
    assertEquals(0, c.node(A).borrowedCount());
  }

  @Test
  void detachedFileIsFreedOnReleaseOnlyOnceHoldersDrop() {
    c.at(ANCHOR, c.node(ANCHOR).create(F, Lifetime.detached(), c.now));
    c.at(ANCHOR, c.node(ANCHOR).passTo(F, c.ids[B], c.now));
    c.deliverAll();
    c.at(ANCHOR, c.node(ANCHOR).removeLocalRef(F));
    c.tickAll(ANCHOR, B);
    c.deliverAll();
    assertFalse(c.freed(ANCHOR, F), "detached: no holder, but not released");
    c.at(ANCHOR, c.node(ANCHOR).passTo(F, c.ids[C], c.now));
    assertThrows(IllegalStateException.class, () -> c.node(A).passTo(F, c.ids[C], c.now));
    c.at(B, c.node(B).passTo(F, c.ids[C], c.now));
    c.deliverAll();
    c.at(ANCHOR, c.node(ANCHOR).release(F, c.now));
    assertFalse(c.freed(ANCHOR, F), "released, but B and C still hold it");
    c.at(B, c.node(B).removeLocalRef(F));
    c.at(C, c.node(C).removeLocalRef(F));
    c.at(C, c.node(C).removeLocalRef(F));
    c.deliverAll();
    assertTrue(c.freed(ANCHOR, F));
  }

  @Test
  void ttlExpiryFreesAnUnheldDetachedFile() {
    c.at(ANCHOR, c.node(ANCHOR).create(F, Lifetime.detached(500), c.now));
    long created = c.now;
    c.at(ANCHOR, c.node(ANCHOR).removeLocalRef(F));
    c.at(ANCHOR, c.node(ANCHOR).tick(created + 499));
    assertFalse(c.freed(ANCHOR, F));
    c.at(ANCHOR, c.node(ANCHOR).tick(created + 500));
    assertTrue(c.freed(ANCHOR, F));
  }

  @Test
  void ttlExpiryDoesNotFreeAHeldFile() {
    c.at(ANCHOR, c.node(ANCHOR).create(F, Lifetime.detached(50), c.now));
    c.at(ANCHOR, c.node(ANCHOR).tick(c.now + 1_000));
    assertFalse(c.freed(ANCHOR, F), "the anchor's own handle still holds it");
    c.at(ANCHOR, c.node(ANCHOR).removeLocalRef(F));
    assertTrue(c.freed(ANCHOR, F));
  }

  @Test
  void lostPassIsCountedAsInFlightAndResent() {
    c.at(A, c.node(A).create(F, Lifetime.owner(), c.now));
    c.at(A, c.node(A).passTo(F, c.ids[B], c.now));
    assertEquals(1, c.drop(type(Pass.class)));
    c.at(A, c.node(A).removeLocalRef(F));
    assertFalse(c.freed(A, F), "the handle is in flight to B");
    c.tickAll(A, B);
    c.deliverAll();
    assertTrue(c.effects(B).contains(new Accepted(F, c.ids[A], 1)));
    c.at(B, c.node(B).removeLocalRef(F));
    c.deliverAll();
    assertTrue(c.freed(A, F));
  }

  @Test
  void lostPassToAProcessThatDiesIsVoid() {
    c.at(A, c.node(A).create(F, Lifetime.owner(), c.now));
    c.at(A, c.node(A).passTo(F, c.ids[B], c.now));
    c.drop(type(Pass.class));
    c.at(A, c.node(A).removeLocalRef(F));
    c.died(B, A);
    assertTrue(c.freed(A, F));
    assertEquals(0, c.node(A).passesInFlight());
  }

  @Test
  void duplicatePassIsAcceptedOnce() {
    c.at(A, c.node(A).create(F, Lifetime.owner(), c.now));
    c.at(A, c.node(A).passTo(F, c.ids[B], c.now));
    c.net.add(c.net.get(0)); // the transport duplicates it
    c.deliverAll();
    assertEquals(1, c.effects(B).stream().filter(Accepted.class::isInstance).count());
    c.at(A, c.node(A).removeLocalRef(F));
    c.at(B, c.node(B).removeLocalRef(F));
    c.deliverAll();
    assertTrue(c.freed(A, F));
    assertEquals(0, c.node(B).borrowedCount(), "B holds nothing more");
  }

  @Test
  void duplicateReleaseDoesNotReleaseAnotherBorrower() {
    holdAtAandB();
    c.at(A, c.node(A).passTo(F, c.ids[C], c.now));
    c.deliverAll();
    c.at(A, c.node(A).removeLocalRef(F));
    c.at(B, c.node(B).removeLocalRef(F));
    GcMessage release = c.net.get(0);
    assertTrue(release instanceof Status s && !s.holding());
    c.net.add(release);
    c.net.add(release);
    c.deliverAll();
    assertFalse(c.freed(A, F), "C still holds it");
    c.at(C, c.node(C).removeLocalRef(F));
    c.deliverAll();
    assertEquals(1, freedCount(A));
  }

  /** The classic race: B passes to C and drops; B's release must not overtake C's registration. */
  @Test
  void releaseCannotOvertakeTheRegistrationOfASubBorrower() {
    holdAtAandB();
    c.at(A, c.node(A).removeLocalRef(F));
    c.at(B, c.node(B).passTo(F, c.ids[C], c.now));
    c.at(B, c.node(B).removeLocalRef(F));
    assertFalse(c.inFlight(Status.class), "B still counts its pass to C, so it has not released");
    c.deliver(type(Pass.class)); // C -> Register to A, before C may use the handle
    assertTrue(c.effects(C).isEmpty(), "not usable before the owner counts C");
    c.deliver(type(Register.class));
    c.deliver(type(RegisterReply.class));
    assertTrue(c.effects(C).contains(new Accepted(F, c.ids[B], 1)));
    c.deliver(type(PassAck.class)); // now B releases
    c.deliver(type(Status.class));
    assertFalse(c.freed(A, F), "C is counted");
    c.deliverAll();
    c.at(C, c.node(C).removeLocalRef(F));
    c.deliverAll();
    assertTrue(c.freed(A, F));
  }

  /** B releases, then A passes to B again; B's stale release arriving after the new ack must be ignored. */
  @Test
  void reorderedStaleReleaseIsIgnored() {
    holdAtAandB();
    c.at(B, c.node(B).removeLocalRef(F)); // release v2 in the net
    c.at(A, c.node(A).passTo(F, c.ids[B], c.now));
    c.deliver(type(Pass.class)); // B holds again at a newer version; ack in the net
    c.deliver(type(PassAck.class));
    c.deliver(type(Status.class)); // the old release arrives last
    c.at(A, c.node(A).removeLocalRef(F));
    c.deliverAll();
    assertFalse(c.freed(A, F), "B holds the second handle");
    c.at(B, c.node(B).removeLocalRef(F));
    c.deliverAll();
    assertTrue(c.freed(A, F));
  }

  /** A's pass is acknowledged only after B already released it: the late "holding" ack must not resurrect B. */
  @Test
  void lateAckAfterReleaseLeavesNoGhostBorrower() {
    c.at(A, c.node(A).create(F, Lifetime.owner(), c.now));
    c.at(A, c.node(A).passTo(F, c.ids[B], c.now));
    c.at(A, c.node(A).removeLocalRef(F));
    c.deliver(type(Pass.class));
    c.at(B, c.node(B).removeLocalRef(F));
    c.deliver(type(Status.class));
    c.deliver(type(ReleaseAck.class));
    assertFalse(c.freed(A, F), "the pass is not acknowledged yet");
    c.deliver(type(PassAck.class));
    assertTrue(c.freed(A, F), "freed without waiting for a reconciliation round");
  }

  @Test
  void senderCrashWithHandleInFlightVoidsTheHandle() {
    holdAtAandB();
    c.at(B, c.node(B).passTo(F, c.ids[C], c.now));
    c.at(A, c.node(A).removeLocalRef(F));
    c.died(B, A); // C has not heard of it yet
    assertTrue(c.freed(A, F));
    c.deliver(type(Pass.class)); // C registers with A ...
    c.deliverAll(); // ... which answers "gone"
    assertTrue(c.effects(C).contains(new Rejected(F, c.ids[B], 1)));
    assertEquals(0, c.node(C).borrowedCount());
  }

  @Test
  void lostReleaseIsRecoveredByReconciliation() {
    holdAtAandB();
    c.at(A, c.node(A).removeLocalRef(F));
    c.at(B, c.node(B).removeLocalRef(F));
    assertEquals(1, c.drop(type(Status.class)));
    c.tickAll(A); // only the owner ticks: it asks B
    assertTrue(c.inFlight(Query.class));
    c.deliverAll();
    assertTrue(c.freed(A, F));
    assertEquals(0, c.node(B).borrowedCount());
  }

  @Test
  void lostReleaseAckIsRecoveredByResending() {
    holdAtAandB();
    c.at(A, c.node(A).removeLocalRef(F));
    c.at(B, c.node(B).removeLocalRef(F));
    c.deliver(type(Status.class));
    assertTrue(c.freed(A, F));
    c.drop(type(ReleaseAck.class));
    assertEquals(1, c.node(B).borrowedCount());
    c.tickAll(B);
    c.deliverAll(); // A no longer knows F: it acknowledges anyway
    assertEquals(0, c.node(B).borrowedCount());
    assertEquals(1, freedCount(A));
  }

  @Test
  void lostRegistrationIsResent() {
    holdAtAandB();
    c.at(B, c.node(B).passTo(F, c.ids[C], c.now));
    c.deliver(type(Pass.class));
    assertEquals(1, c.drop(type(Register.class)));
    c.tickAll(A, B, C);
    c.net.removeIf(m -> m instanceof Pass); // B's resend of the pass is a duplicate anyway
    c.deliverAll();
    assertTrue(c.effects(C).contains(new Accepted(F, c.ids[B], 1)));
    assertEquals(0, c.node(B).passesInFlight());
  }

  @Test
  void misuseIsRejectedWithAClearError() {
    c.at(A, c.node(A).create(F, Lifetime.owner(), c.now));
    assertThrows(IllegalStateException.class, () -> c.node(A).create(F, Lifetime.owner(), c.now));
    assertThrows(IllegalArgumentException.class, () -> c.node(A).passTo(F, c.ids[A], c.now));
    assertThrows(IllegalStateException.class, () -> c.node(B).addLocalRef(F));
    c.at(A, c.node(A).removeLocalRef(F));
    assertThrows(IllegalArgumentException.class, () -> Lifetime.job(null));
    assertThrows(IllegalArgumentException.class, () -> new GcSettings(c.ids[0], 0));
  }
}
