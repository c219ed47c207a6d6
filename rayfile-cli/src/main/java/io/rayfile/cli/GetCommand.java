package io.rayfile.cli;

import io.rayfile.d7y.peer.ByteSize;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.grpc.NodeClient;
import java.util.List;
import java.util.Optional;
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

/** {@code rayfile get ID|URL -o DEST}: materialize a content at a path, fetching it through P2P if needed. */
@Command(name = "get", description = "Materialize a content (file or directory) or an http(s) URL at DEST, "
    + "from the node's store, else from peers, else from the origin. Read-only hard links unless --writable.")
final class GetCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID|URL", description = "Content id (sha256:<hex>) or an http(s):// URL.")
  String id;

  @Option(names = "--expected-sha256", paramLabel = "ID",
      description = "For URLs: fail unless the bytes' digest is this sha256:<hex>.")
  String expected;

  @Option(names = "--piece-length", paramLabel = "SIZE", description = "For URLs: force the piece length.")
  String pieceLength;

  @Option(names = "--seed", paramLabel = "HOST:PORT", split = ",",
      description = "Data-plane address(es) of nodes holding the content, used if no scheduler answers.")
  List<String> seeds = List.of();

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DEST", description = "Destination; must not exist.")
  Path output;

  @Option(names = "--writable", description = "Make a private writable copy instead of a read-only link.")
  boolean writable;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    boolean url = id.startsWith("http://") || id.startsWith("https://");
    if (!url) {
      ContentId.parse(id); // a clear error before any call
    }
    NodeClient.DownloadSpec spec = new NodeClient.DownloadSpec(id, Optional.of(output.toAbsolutePath().normalize()),
        writable, Optional.ofNullable(expected).map(ContentId::parse),
        pieceLength == null ? 0 : Math.toIntExact(ByteSize.parse(pieceLength).bytes()),
        seeds.stream().map(HostPort::parse).toList());
    long start = System.nanoTime();
    NodeClient.Downloaded result;
    boolean bar = !client.json && System.console() != null;
    try (NodeClient node = client.connect();
         ProgressBar progress = bar ? new ProgressBarBuilder().setTaskName("get").setUnit("MiB", 1 << 20).build() : null) {
      result = node.download(spec, (done, total) -> {
        if (progress != null) {
          progress.maxHint(total);
          progress.stepTo(done);
        }
      });
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (client.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", result.id().toString());
      m.put("path", result.path().map(Path::toString).orElse(""));
      m.put("seconds", seconds);
      Output.json(m);
    } else {
      System.out.println(result.path().map(Path::toString).orElse(""));
    }
    return 0;
  }
}
