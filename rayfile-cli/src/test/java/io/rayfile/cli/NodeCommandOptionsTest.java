package io.rayfile.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code rayfile node}'s I/O mode: buffered by default, direct on request. */
class NodeCommandOptionsTest {
  private static NodeCommand parse(String... args) {
    NodeCommand node = new NodeCommand();
    new CommandLine(node).parseArgs(args);
    return node;
  }

  @Test
  void bufferedIsTheDefaultAndDirectIoTurnsDirectOn() {
    assertFalse(parse("--data", "/tmp/x").directIo);
    assertTrue(parse("--data", "/tmp/x", "--direct-io").directIo);
  }
}
