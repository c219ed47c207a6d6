package io.rayfile.cli;

import io.rayfile.d7y.peer.grpc.NodeClient;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.VerifyReport;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rayfile stat ID [--verify]}. Exit code 4 when verification finds damage. */
@Command(name = "stat", description = "Describe a content; --verify re-reads it and checks every CRC32C and the "
    + "SHA-256 (exit code 4 when damaged).")
final class StatCommand implements Callable<Integer> {
  static final int DAMAGED = 4;

  @Parameters(paramLabel = "ID")
  String id;

  @Option(names = "--verify", description = "Re-read the bytes and check them.")
  boolean verify;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    NodeClient.StatResult r;
    try (NodeClient node = client.connect()) {
      r = node.stat(ContentId.parse(id), verify);
    }
    boolean damaged = r.verify().map(v -> !v.ok()).orElse(false);
    if (client.json) {
      Map<String, Object> m = new LinkedHashMap<>(Output.content(r.content()));
      r.verify().ifPresent(v -> m.put("verify", verifyJson(v)));
      Output.json(m);
    } else {
      System.out.println(Output.line(r.content()));
      r.verify().ifPresent(v -> System.out.println((v.ok() ? "verify: ok — " : "verify: DAMAGED — ") + v.detail()));
    }
    return damaged ? DAMAGED : 0;
  }

  private static Map<String, Object> verifyJson(VerifyReport v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", v.ok());
    m.put("bad_pieces", v.badPieces());
    m.put("sha256_ok", v.sha256Ok());
    m.put("detail", v.detail());
    return m;
  }
}
