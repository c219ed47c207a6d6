package io.rayfile.cli;

import io.rayfile.d7y.peer.PeerException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code rayfile} command. */
@Command(
    name = "rayfile",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Peer-to-peer file objects: content-addressed files and directories on every node.",
    subcommands = {
        HeadCommand.class,
        NodeCommand.class,
        SchedulerCommand.class,
        PutCommand.class,
        GetCommand.class,
        StatCommand.class,
        LsCommand.class,
        RmCommand.class,
        PinCommand.class,
        PinCommand.Unpin.class,
        EvictCommand.class,
        PreheatCommand.class,
        BenchCommand.class,
        DemoCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    io.rayfile.d7y.peer.DaemonProcess.exitWithParent();
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      boolean json = parseResult.subcommands().stream().anyMatch(s -> s.hasMatchedOption("--json"))
          || parseResult.hasMatchedOption("--json");
      return Output.failure(ex, json);
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Prints the jar's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"rayfile " + (v == null ? "dev" : v)};
    }
  }

  /** Exit codes: 0 ok, 1 a RayFile error (see its code), 2 bad usage (picocli). */
  static int exitCodeFor(Throwable ex) {
    return ex instanceof PeerException || ex instanceof io.rayfile.api.RayFileException ? 1 : 3;
  }
}
