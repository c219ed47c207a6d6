/**
 * Ownership reference counting for files, after Ray's ownership design, as a pure state machine.
 *
 * <p>{@link io.rayfile.gc.GcNode} is the state machine of one process ({@link io.rayfile.gc.OwnershipGcNode}
 * implements it); {@link io.rayfile.gc.GcMessage} are the messages between processes, which the transport may
 * drop, duplicate, reorder and delay; {@link io.rayfile.gc.GcEffect} are the local consequences the runtime applies
 * (unpin a freed file, hand over or void a passed handle). The module knows nothing of Pekko, gRPC or files: ids are
 * opaque and time is passed in. The rules, the failure cases and the two invariants the property tests check are in
 * {@code docs/gc-protocol.md}.
 */
package io.rayfile.gc;
