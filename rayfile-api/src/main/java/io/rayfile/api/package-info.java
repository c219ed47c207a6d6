/**
 * The public Java API (not built yet: it arrives with the runtime issue): {@code RayFile}, {@code FileRef},
 * task calls, options and the exception hierarchy. It never depends on the runtime.
 */
package io.rayfile.api;
