package io.rayfile.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rayfile.d7y.peer.DaemonProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code rayfile} command in its own JVM, as a user's shell would. */
final class Cli {
  record Result(int exit, String stdout, String stderr) {
    JsonNode json() {
      try {
        return new ObjectMapper().readTree(stdout);
      } catch (IOException e) {
        throw new AssertionError("stdout is not one JSON object: " + stdout + "\nstderr: " + stderr, e);
      }
    }

    Result ok() {
      if (exit != 0) {
        throw new AssertionError("rayfile exited " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr);
      }
      return this;
    }
  }

  private Cli() {}

  static Result run(Path workDir, String... args) {
    try {
      Path out = Files.createTempFile(workDir, "cli-", ".out");
      Path err = Files.createTempFile(workDir, "cli-", ".err");
      Process p = new ProcessBuilder(DaemonProcess.javaCommand(Main.class.getName(), List.of(args)))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("rayfile " + String.join(" ", args) + " did not finish in 5 minutes");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String[] with(String node, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--node");
    all.add(node);
    return all.toArray(String[]::new);
  }
}
