package io.rayfile.cli;

import picocli.CommandLine.Command;

/** {@code rayfile bench ...}: benchmarks that compare against a baseline measured in the same run. */
@Command(name = "bench", description = "Benchmarks. Each reports a ratio against a baseline measured in the same run.",
    subcommands = {BenchImportCommand.class, BenchBroadcastCommand.class, BenchSmallFilesCommand.class,
        BenchPipeCommand.class, BenchTasksCommand.class, BenchStressCommand.class})
final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
