/**
 * Per-content swarm state and its transitions: hosts, peers, their pieces, the parent-to-child DAG, per-host
 * upload load, origin quotas, heartbeat expiry. {@link io.rayfile.d7y.scheduler.state.PeerScheduler} is the one
 * entry point; it is transport-free (the gRPC edge maps wire messages to the records here) and takes its time
 * from an injected {@link java.time.Clock}.
 */
package io.rayfile.d7y.scheduler.state;
