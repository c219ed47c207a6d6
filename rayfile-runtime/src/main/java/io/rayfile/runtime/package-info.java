/**
 * The Pekko cluster runtime (not built yet: it arrives with the runtime issue): head, node and driver roles,
 * workers, jobs, the worker -> job -> node -> peer -> origin cache hierarchy and GC wiring.
 */
package io.rayfile.runtime;
