package io.rayfile.gc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.gc.bench.FootprintMain;
import org.junit.jupiter.api.Test;

/** The memory budget: one owner tracking 1,000,000 live files uses at most 200 bytes per file. */
class OwnerFootprintTest {
  @Test
  void millionLiveFilesFitTheBudget() {
    double perFile = FootprintMain.bytesPerFile(1_000_000, Lifetime.owner(), false);
    System.out.printf("owner footprint: %.1f bytes/file for 1,000,000 live files%n", perFile);
    assertTrue(perFile > 0 && perFile <= 200, perFile + " bytes/file");
  }
}
