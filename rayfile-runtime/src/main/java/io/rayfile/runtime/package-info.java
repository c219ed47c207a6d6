/**
 * The RayFile runtime on a Pekko cluster: the head (P2P scheduler, job registry, GC anchor), nodes (a peer daemon
 * and workers) and drivers (users' JVMs). Found by the API through {@link java.util.ServiceLoader}.
 */
package io.rayfile.runtime;
