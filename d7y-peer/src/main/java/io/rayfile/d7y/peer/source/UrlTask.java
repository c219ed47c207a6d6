package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentId;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity of a content fetched from an external origin: its task id is {@code task:} + the SHA-256 (hex) of
 * {@code <normalized URL>|<range>|<piece length>}, where range is {@code first-last} (inclusive, as
 * {@link ByteRange#toString()}) or empty for the whole content, and piece length is decimal. Every peer computes
 * the same id for the same URL, range and piece length, so they form one swarm.
 *
 * <p><b>Normalization</b> ({@link #normalize}): scheme and host lowercased; the scheme's default port dropped
 * (80 for http, 443 for https); the fragment dropped; an empty path becomes {@code /}; user info, path and query
 * are kept exactly as written (raw, still percent-encoded, query parameters not reordered). Keeping the query
 * and user info is deliberate: for a presigned or credential-bearing URL they are the authorization, and two
 * callers share a swarm (and thus bytes) only when they hold the same URL.
 *
 * <p><b>Piece length</b> is part of the id because all peers of a swarm must cut the content alike. With the
 * default rule ({@link PieceLayout#defaultPieceLength}) it depends on the content length, so the id is computed
 * after probing the origin, or from a piece length the caller forces.
 *
 * <p><b>Where the bytes live</b>: the content store keys contents by {@link ContentId}; a URL task is stored under
 * {@link #storeId()}, a {@code ContentId} whose hex is the task's hex (not a digest of the bytes), with
 * {@link io.rayfile.d7y.peer.storage.ContentKind#EXTERNAL}, so the store checks CRC32Cs only and peers exchange its
 * pieces by that key on the data plane without anyone knowing the real SHA-256. The download engine may later
 * import the finished bytes under their real {@code sha256:} id. An {@link #expectedDigest()} given by the caller
 * ({@code sha256:<hex>}) is checked by the engine once the last piece landed.
 */
public final class UrlTask {
  /** Prefix of a URL task's content id on the wire and at the scheduler. */
  public static final String PREFIX = "task:";

  private final URI url;
  private final String normalizedUrl;
  private final Optional<ByteRange> range;
  private final int pieceLength;
  private final Optional<ContentId> expectedDigest;
  private final String hex;

  private UrlTask(URI url, Optional<ByteRange> range, int pieceLength, Optional<ContentId> expectedDigest) {
    this.url = url;
    this.normalizedUrl = normalize(url);
    this.range = range;
    this.pieceLength = pieceLength;
    this.expectedDigest = expectedDigest;
    this.hex = sha256Hex(normalizedUrl + "|" + range.map(ByteRange::toString).orElse("") + "|" + pieceLength);
  }

  /**
   * The task for {@code url} (optionally a byte range of it) cut into pieces of {@code pieceLength} bytes (a
   * positive power of two, as {@link PieceLayout} requires).
   */
  public static UrlTask of(URI url, Optional<ByteRange> range, int pieceLength) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(range, "range");
    if (pieceLength <= 0 || Integer.bitCount(pieceLength) != 1) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT,
          "piece length must be a positive power of two, got " + pieceLength);
    }
    return new UrlTask(url, range, pieceLength, Optional.empty());
  }

  /**
   * The same task with the digest the caller expects of the bytes, {@code sha256:<64 hex>}; it does not change
   * the task id.
   */
  public UrlTask withExpectedDigest(String sha256Id) {
    return new UrlTask(url, range, pieceLength, Optional.of(ContentId.parse(sha256Id)));
  }

  /** {@code task:<64 hex>}: the id the scheduler and the local API know this content by. */
  public String contentId() {
    return PREFIX + hex;
  }

  /** The 64 lowercase hex digits of the task id. */
  public String hex() {
    return hex;
  }

  /** The key the bytes are stored and exchanged under: a {@link ContentId} with the task's hex. */
  public ContentId storeId() {
    return new ContentId(hex);
  }

  /** The store key of a {@code task:<64 hex>} id; INVALID_ARGUMENT for anything else. */
  public static ContentId storeIdOf(String taskId) {
    if (taskId == null || !taskId.startsWith(PREFIX)) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "a URL task id looks like 'task:<64 hex digits>', got: "
          + (taskId == null ? "nothing" : "'" + taskId + "'"));
    }
    return new ContentId(taskId.substring(PREFIX.length()));
  }

  /** The URL as the caller gave it (credentials and all: do not log it; use {@link #redact}). */
  public URI url() {
    return url;
  }

  public String normalizedUrl() {
    return normalizedUrl;
  }

  public Optional<ByteRange> range() {
    return range;
  }

  public int pieceLength() {
    return pieceLength;
  }

  public Optional<ContentId> expectedDigest() {
    return expectedDigest;
  }

  /** Where the content starts at the origin: the range's offset, or 0. */
  public long originOffset() {
    return range.map(ByteRange::offset).orElse(0L);
  }

  /** The piece layout of a content of {@code length} bytes (the range's length for a range task). */
  public PieceLayout layout(long length) {
    return new PieceLayout(length, pieceLength);
  }

  /**
   * The normalized form hashed into the task id (see the class comment). INVALID_ARGUMENT when {@code url} is
   * not absolute or has no host.
   */
  public static String normalize(URI url) {
    String scheme = url.getScheme();
    String host = url.getHost();
    if (scheme == null || url.isOpaque() || host == null) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "an origin URL must be absolute with a host name, "
          + "like https://example.com/file, got: " + redact(url));
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder(scheme).append("://");
    if (url.getRawUserInfo() != null) {
      b.append(url.getRawUserInfo()).append('@');
    }
    b.append(host.toLowerCase(Locale.ROOT));
    int port = url.getPort();
    if (port != -1 && port != defaultPort(scheme)) {
      b.append(':').append(port);
    }
    String path = url.getRawPath();
    b.append(path == null || path.isEmpty() ? "/" : path);
    if (url.getRawQuery() != null) {
      b.append('?').append(url.getRawQuery());
    }
    return b.toString();
  }

  /**
   * {@code url} fit for messages and logs: scheme, host, port and path; user info dropped and the query replaced
   * by {@code ?...} (it often carries signatures or tokens).
   */
  public static String redact(URI url) {
    if (url == null) {
      return "(no URL)";
    }
    if (url.isOpaque() || url.getScheme() == null || url.getRawAuthority() == null) {
      String s = url.getScheme() == null ? "" : url.getScheme() + ":";
      return s + "(" + (url.isOpaque() ? "opaque" : "relative") + " URL)";
    }
    String authority = url.getRawAuthority();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1);
    }
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    return url.getScheme().toLowerCase(Locale.ROOT) + "://" + authority.toLowerCase(Locale.ROOT) + path
        + (url.getRawQuery() != null ? "?..." : "");
  }

  private static int defaultPort(String scheme) {
    return switch (scheme) {
      case "http" -> 80;
      case "https" -> 443;
      default -> -1;
    };
  }

  private static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new PeerException(ErrorCode.INTERNAL, "this JVM has no SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UrlTask t && hex.equals(t.hex) && expectedDigest.equals(t.expectedDigest);
  }

  @Override
  public int hashCode() {
    return hex.hashCode();
  }

  @Override
  public String toString() {
    return contentId() + " (" + redact(url) + range.map(r -> " bytes " + r).orElse("") + ", pieces of "
        + pieceLength + ")";
  }
}
