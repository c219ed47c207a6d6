package io.rayfile.d7y.scheduler.state;

/**
 * Where the scheduler pushes answers for one peer (its announce stream). Called with the scheduler's lock held:
 * must not block and must not call back into the scheduler.
 */
public interface PeerSink {
  void send(Decision decision);
}
