/**
 * The gRPC edge of the scheduler: {@link io.rayfile.d7y.scheduler.grpc.SchedulerService} implements the
 * {@code rayfile.v1.Scheduler} service on top of {@link io.rayfile.d7y.scheduler.state.PeerScheduler}. Wire
 * types are mapped to domain records here and nowhere else; errors become a gRPC status with an ErrorDetail
 * trailer, or an {@code error} answer on an announce stream.
 */
package io.rayfile.d7y.scheduler.grpc;
