package io.rayfile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rayfile.examples.media.MediaSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code bench stress} refuses bad options before it starts any process, naming the option. */
class BenchStressOptionsTest {
  private static String stderrOf(String... args) {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertEquals(2, Main.run(args), "a usage error exits 2");
    } finally {
      System.setErr(old);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void badOptionsAreNamed() {
    assertTrue(stderrOf("bench", "stress", "--warmup", "-1").contains("--warmup must be in [0, 1000], got -1"));
    assertTrue(stderrOf("bench", "stress", "--fetch-concurrency", "0").contains("--fetch-concurrency must be at "
        + "least 1"));
    assertTrue(stderrOf("bench", "stress", "--profile", "video").contains("unknown --profile 'video'"));
  }

  @Test
  void warmupClipsNeverShareANameOrSeedWithTheTimedInputs() {
    List<MediaSpec> warm = BenchStressCommand.warmupClips(40);
    Set<String> names = new HashSet<>();
    Set<Integer> seeds = new HashSet<>();
    for (MediaSpec s : io.rayfile.examples.media.MediaGenerator.plan(1.0)) {
      names.add(s.name());
      seeds.add(s.seed());
    }
    for (MediaSpec s : warm) {
      assertTrue(names.add(s.name()), "name " + s.name() + " reused");
      assertTrue(seeds.add(s.seed()), "seed " + s.seed() + " reused");
    }
  }
}
