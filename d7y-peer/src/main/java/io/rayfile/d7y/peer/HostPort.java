package io.rayfile.d7y.peer;

/**
 * A {@code host:port} address as given on command lines ({@code 127.0.0.1:7070}, {@code [::1]:7070}).
 *
 * @param host host name or IP literal (without brackets)
 * @param port 0..65535 (0 = pick a free port when binding)
 */
public record HostPort(String host, int port) {
  public HostPort {
    if (host == null || host.isBlank()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "address has no host");
    }
    if (port < 0 || port > 65535) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "port must be 0..65535, got " + port);
    }
  }

  /** Parses {@code host:port} or {@code [v6]:port}. */
  public static HostPort parse(String text) {
    String t = text == null ? "" : text.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "address must be HOST:PORT (e.g. 127.0.0.1:7070), got '" + text + "'");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new HostPort(host, Integer.parseInt(t.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "address must be HOST:PORT with a numeric port, got '" + text + "'");
    }
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
