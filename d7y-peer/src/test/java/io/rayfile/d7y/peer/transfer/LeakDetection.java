package io.rayfile.d7y.peer.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Paranoid Netty leak detection for the transfer tests, with leaks recorded instead of only logged. Must be
 * installed before Netty's buffer classes initialize: every test class calls {@link #install()} from a static
 * block.
 */
final class LeakDetection {
  private static final List<String> LEAKS = new ArrayList<>();
  private static boolean installed;

  private LeakDetection() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
      @Override
      public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
          long maxActive) {
        return new ResourceLeakDetector<T>(resource, samplingInterval) {
          @Override
          protected void reportTracedLeak(String type, String records) {
            record("LEAK " + type + records);
            super.reportTracedLeak(type, records);
          }

          @Override
          protected void reportUntracedLeak(String type) {
            record("LEAK " + type);
            super.reportUntracedLeak(type);
          }
        };
      }
    });
  }

  private static synchronized void record(String leak) {
    LEAKS.add(leak);
  }

  /** Collects garbage, lets the detector look at its queue, and fails when any leak was reported so far. */
  static void assertNoLeaks() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Leaks are reported when the detector tracks a new object: allocate a few.
      for (int j = 0; j < 16; j++) {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
        b.release();
        ByteBuf h = ByteBufAllocator.DEFAULT.heapBuffer(16);
        h.release();
      }
    }
    synchronized (LeakDetection.class) {
      if (!LEAKS.isEmpty()) {
        throw new AssertionError(LEAKS.size() + " Netty buffer leak(s):\n" + String.join("\n", LEAKS));
      }
    }
  }
}
