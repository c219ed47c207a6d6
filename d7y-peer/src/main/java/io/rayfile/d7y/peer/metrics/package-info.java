/** The daemon's Prometheus metrics, fed by the data plane and the download engine. */
package io.rayfile.d7y.peer.metrics;
