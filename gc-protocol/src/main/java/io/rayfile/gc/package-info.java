/**
 * Ownership reference counting for files, after Ray's ownership design, as a pure state machine.
 */
package io.rayfile.gc;
