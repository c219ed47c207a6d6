package io.rayfile.d7y.peer.source;

import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link OriginFetcher} fetches from: a URL, the headers to send, what its probe said, where the content
 * starts at the origin and how it is cut into pieces. Piece {@code i} is origin bytes
 * {@code [originOffset + layout.offset(i), + layout.size(i))}.
 *
 * @param url the origin URL (may carry credentials: never logged as is)
 * @param headers extra request headers (credentials, for example)
 * @param info the origin's probe answer; its validators make every range request fail if the content changed
 * @param originOffset where the content starts at the origin (a range task's offset, else 0)
 * @param layout the content's pieces
 */
public record OriginRequest(URI url, Map<String, String> headers, SourceInfo info, long originOffset,
    PieceLayout layout) {

  public OriginRequest {
    Objects.requireNonNull(url, "url");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(layout, "layout");
    if (originOffset < 0 || originOffset + layout.length() > info.length()) {
      throw new PeerException(ErrorCode.INVALID_ARGUMENT, "bytes " + originOffset + " to "
          + (originOffset + layout.length()) + " of " + UrlTask.redact(url) + " were asked, but the origin's content "
          + "has " + info.length() + " bytes");
    }
  }

  /** The request for a URL task whose origin answered {@code info}. */
  public static OriginRequest of(UrlTask task, Map<String, String> headers, SourceInfo info) {
    long length = task.range().map(ByteRange::length).orElse(info.length());
    return new OriginRequest(task.url(), headers, info, task.originOffset(), task.layout(length));
  }
}
