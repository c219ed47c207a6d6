package io.rayfile.gc.bench;

import io.rayfile.gc.FileId;
import io.rayfile.gc.GcNode;
import io.rayfile.gc.GcSettings;
import io.rayfile.gc.JobId;
import io.rayfile.gc.Lifetime;
import io.rayfile.gc.OwnershipGcNode;
import io.rayfile.gc.ProcessId;
import java.lang.ref.Reference;

/**
 * Retained heap per file of one owner tracking a million live files, measured as the difference in used heap
 * after repeated full GCs. Prints one line per kind of file.
 */
public final class FootprintMain {
  private FootprintMain() {}

  /** Used heap after the collector has settled. */
  static long settledUsedHeap() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 8; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  /**
   * Bytes retained per file by an owner holding {@code files} files of {@code lifetime}.
   *
   * @param presized whether the node is created with the expected size (else it grows by doubling)
   */
  public static double bytesPerFile(int files, Lifetime lifetime, boolean presized) {
    long before = settledUsedHeap();
    GcSettings settings = new GcSettings(new ProcessId(0), 1_000);
    GcNode node = presized
        ? new OwnershipGcNode(new ProcessId(0), settings, files)
        : new OwnershipGcNode(new ProcessId(0), settings);
    for (int i = 0; i < files; i++) {
      node.create(new FileId(i), lifetime, 0);
    }
    long after = settledUsedHeap();
    Reference.reachabilityFence(node);
    return (after - before) / (double) files;
  }

  /** Prints the figures. */
  public static void main(String[] args) {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    bytesPerFile(files / 10, Lifetime.owner(), false); // warm-up
    System.out.printf("owner-lifetime files, grown from default size: %.1f bytes/file%n",
        bytesPerFile(files, Lifetime.owner(), false));
    System.out.printf("owner-lifetime files, presized:                %.1f bytes/file%n",
        bytesPerFile(files, Lifetime.owner(), true));
    System.out.printf("job-lifetime files (pinned, side map entry):   %.1f bytes/file%n",
        bytesPerFile(files, Lifetime.job(new JobId(1)), false));
  }
}
