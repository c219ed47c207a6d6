/**
 * The P2P scheduler (not built yet: it arrives with the peer-to-peer issue). It will hold per-content peer
 * state, pick ranked parents for each downloading peer and decide who goes back to the origin.
 */
package io.rayfile.d7y.scheduler;
