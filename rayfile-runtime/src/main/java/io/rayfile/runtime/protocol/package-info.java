/** Records that travel between processes (behind {@link io.rayfile.runtime.cluster.Wire}), and their mappings. */
package io.rayfile.runtime.protocol;
