package io.rayfile.cli;

import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rayfile get ID -o DEST}: materialize a content at a path. */
@Command(name = "get", description = "Materialize a content (file or directory) at DEST. Read-only hard links "
    + "unless --writable.")
final class GetCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID", description = "Content id, sha256:<hex>.")
  String id;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DEST", description = "Destination; must not exist.")
  Path output;

  @Option(names = "--writable", description = "Make a private writable copy instead of a read-only link.")
  boolean writable;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    ContentId contentId = ContentId.parse(id);
    long start = System.nanoTime();
    Path result;
    boolean bar = !client.json && System.console() != null;
    try (NodeClient node = client.connect();
         ProgressBar progress = bar ? new ProgressBarBuilder().setTaskName("get").setUnit("MiB", 1 << 20).build() : null) {
      result = node.download(contentId, output.toAbsolutePath().normalize(), writable, (done, total) -> {
        if (progress != null) {
          progress.maxHint(total);
          progress.stepTo(done);
        }
      });
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (client.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", contentId.toString());
      m.put("path", result.toString());
      m.put("seconds", seconds);
      Output.json(m);
    } else {
      System.out.println(result);
    }
    return 0;
  }
}
