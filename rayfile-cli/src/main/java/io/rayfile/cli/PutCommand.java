package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ImportResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rayfile put PATH}: import a file or directory and print its id. */
@Command(name = "put", description = "Import a file or directory into the node's store; prints its sha256: id.")
final class PutCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "File or directory on this machine.")
  Path path;

  @Option(names = "--move", description = "Link the file into the store instead of copying (same file system; "
      + "do not modify the source afterwards).")
  boolean move;

  @Option(names = "--pin", description = "Pin the content so eviction never removes it.")
  boolean pin;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    long start = System.nanoTime();
    ImportResult r;
    try (NodeClient node = client.connect()) {
      r = node.importPath(path.toAbsolutePath().normalize(), move, pin);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (client.json) {
      Map<String, Object> m = new LinkedHashMap<>(Output.content(r.content()));
      m.put("stored_bytes", r.storedBytes());
      m.put("seconds", seconds);
      Output.json(m);
    } else {
      System.out.println(r.content().id());
      System.err.printf("imported %s (%s stored) in %.2f s%n", path,
          ByteSize.format(r.storedBytes()), seconds);
    }
    return 0;
  }
}
