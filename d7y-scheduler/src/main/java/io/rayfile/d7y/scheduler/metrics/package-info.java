/**
 * Prometheus metrics of the scheduler (Micrometer) and the small JDK HTTP server that exposes them at
 * {@code /metrics}.
 */
package io.rayfile.d7y.scheduler.metrics;
