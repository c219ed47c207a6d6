/**
 * The P2P scheduler: {@link io.rayfile.d7y.scheduler.SchedulerServer} (what {@code rayfile scheduler} runs),
 * its {@link io.rayfile.d7y.scheduler.SchedulerSettings}, and {@code io.rayfile.d7y.peer.download.SchedulerRing} (in d7y-peer: peers pick the instance),
 * the consistent-hash ring peers use to pick the instance that owns a content. The protocol and the scheduling
 * rules are described in docs/scheduling.md.
 */
package io.rayfile.d7y.scheduler;
