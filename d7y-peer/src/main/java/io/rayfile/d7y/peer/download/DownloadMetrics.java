package io.rayfile.d7y.peer.download;

/** What the download engine counts. The daemon backs it with Prometheus; tests use {@link #NOOP}. */
public interface DownloadMetrics {
  void fromPeers(long bytes);

  void fromOrigin(long bytes);

  void pieceFailed(String reason);

  void backToSource();

  void downloadStarted();

  /** @param result {@code succeeded}, {@code failed} or {@code cached} */
  void downloadEnded(String result);

  DownloadMetrics NOOP = new DownloadMetrics() {
    @Override
    public void fromPeers(long bytes) {}

    @Override
    public void fromOrigin(long bytes) {}

    @Override
    public void pieceFailed(String reason) {}

    @Override
    public void backToSource() {}

    @Override
    public void downloadStarted() {}

    @Override
    public void downloadEnded(String result) {}
  };
}
