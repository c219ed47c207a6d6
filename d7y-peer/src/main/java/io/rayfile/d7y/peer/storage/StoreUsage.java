package io.rayfile.d7y.peer.storage;

/**
 * Space used by a store.
 *
 * @param usedBytes bytes of all contents held (complete or partial, counted at full length: they are preallocated)
 * @param pinnedBytes bytes of pinned contents
 * @param quotaBytes configured quota
 * @param contentCount number of contents
 */
public record StoreUsage(long usedBytes, long pinnedBytes, long quotaBytes, int contentCount) {}
