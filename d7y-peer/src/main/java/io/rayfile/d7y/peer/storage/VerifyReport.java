package io.rayfile.d7y.peer.storage;

import java.util.List;

/**
 * Result of re-reading a content from disk.
 *
 * @param id the content
 * @param badPieces pieces whose CRC32C no longer matches (empty when all match)
 * @param sha256Ok whether the whole-content SHA-256 matches the id, or does not apply (a partial or external
 *     content: then only the CRCs were checked)
 * @param detail a human sentence describing the outcome
 */
public record VerifyReport(ContentId id, List<Integer> badPieces, boolean sha256Ok, String detail) {
  public VerifyReport {
    badPieces = List.copyOf(badPieces);
  }

  public boolean ok() {
    return badPieces.isEmpty() && sha256Ok;
  }
}
