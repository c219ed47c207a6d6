/**
 * The download engine: talks to the scheduler (announce streams, held contents), fetches pieces from several
 * parents at once (rarest first, adaptive per-parent window, CRC strike, dead-parent failover), reads origins when
 * told to (or when no scheduler answers), and resumes from the pieces the store already holds.
 */
package io.rayfile.d7y.peer.download;
