package io.rayfile.d7y.peer.storage;

/**
 * Outcome of importing a file or directory.
 *
 * @param content the imported content (for a directory: its manifest)
 * @param storedBytes bytes newly written to the store (0 when everything was already present or linked)
 */
public record ImportResult(ContentInfo content, long storedBytes) {}
