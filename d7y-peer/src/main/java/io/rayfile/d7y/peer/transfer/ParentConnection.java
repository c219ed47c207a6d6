package io.rayfile.d7y.peer.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.PieceLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client side, one per connection to a parent: sends requests (pipelined), matches responses to them and streams
 * piece bytes into their sinks while computing the CRC32C. The commit (which may hash a whole content when it is
 * the last piece) and every future completion run on the client's completion executor, never on the event loop.
 * All state is confined to the connection's event loop.
 */
final class ParentConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ParentConnection.class);

  private final ParentPool pool;
  private final TransferMetrics metrics;
  private final Executor completions;
  private final Executor lightCompletions;
  private final Map<Integer, ClientRequest> pending = new LinkedHashMap<>();
  private Channel channel;
  private int nextRequestId = 1;
  private boolean active;
  private boolean closed;
  /** The piece whose bytes are arriving now. */
  private Receiving receiving;

  private static final class Receiving {
    final ClientRequest.Fetch fetch;
    final Frame.PieceHeader header;
    final CRC32C crc = new CRC32C();
    Throwable failure;

    Receiving(ClientRequest.Fetch fetch, Frame.PieceHeader header) {
      this.fetch = fetch;
      this.header = header;
    }
  }

  ParentConnection(ParentPool pool, TransferMetrics metrics, Executor completions, Executor lightCompletions) {
    this.pool = pool;
    this.metrics = metrics;
    this.completions = completions;
    this.lightCompletions = lightCompletions;
  }

  /** Requests sent and not yet answered (the piece being received counts). */
  int inFlight() {
    return pending.size() + (receiving != null ? 1 : 0);
  }

  boolean isActive() {
    return active && !closed;
  }

  /** True while a piece of a large content is asked for or arriving here: a small one sent now would queue behind. */
  boolean carriesHeavy() {
    if (receiving != null && !receiving.fetch.isLight()) {
      return true;
    }
    for (ClientRequest r : pending.values()) {
      if (!r.isLight()) {
        return true;
      }
    }
    return false;
  }

  /** Sends {@code request}; the caller checked the window. */
  void send(ClientRequest request) {
    int id = nextRequestId++;
    if (nextRequestId <= 0) {
      nextRequestId = 1; // 0 is reserved for connection-level errors
    }
    pending.put(id, request);
    channel.writeAndFlush(request.frame(id), channel.voidPromise());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(new Frame.Hello(Protocol.VERSION), ctx.voidPromise());
    active = true;
    pool.connected(this);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Frame.PieceChunk c) {
        onChunk(c.content(), c.last());
      } else if (msg instanceof Frame.PieceHeader h) {
        onHeader(h);
      } else if (msg instanceof Frame.Error e) {
        onError(e);
      } else if (msg instanceof Frame.Bitmap b) {
        onBitmap(b);
      } else if (!(msg instanceof Frame.Hello)) {
        throw protocol("unexpected message " + msg);
      }
    } catch (PeerException e) {
      closeWith(e);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHeader(Frame.PieceHeader h) {
    if (receiving != null) {
      throw protocol("a PIECE header arrived inside the bytes of piece " + receiving.header.piece());
    }
    ClientRequest r = pending.remove(h.requestId());
    if (!(r instanceof ClientRequest.Fetch f) || f.piece != h.piece()) {
      throw protocol("PIECE " + h.piece() + " for request " + h.requestId() + " that asked for no such piece");
    }
    receiving = new Receiving(f, h);
    if (h.length() == 0) {
      finishPiece();
    }
  }

  private void onChunk(ByteBuf data, boolean last) {
    Receiving r = receiving;
    if (r == null) {
      throw protocol("piece bytes without a PIECE header");
    }
    int n = data.readableBytes();
    metrics.bytesReceived(n);
    if (r.failure == null && r.fetch.isDone()) {
      r.failure = new PeerException(ErrorCode.INTERNAL, "fetch cancelled");
    }
    if (r.failure == null) {
      try {
        for (ByteBuffer b : data.nioBuffers()) {
          r.crc.update(b.duplicate());
          r.fetch.sink.write(b);
        }
      } catch (RuntimeException e) {
        r.failure = e;
        r.fetch.abortSink();
      }
    }
    if (last) {
      finishPiece();
    }
  }

  private void finishPiece() {
    Receiving r = receiving;
    receiving = null;
    ClientRequest.Fetch f = r.fetch;
    if (r.failure != null) {
      f.fail(r.failure, completions);
    } else {
      int crc = (int) r.crc.getValue();
      if (crc != r.header.crc32c()) {
        metrics.corruptPiece();
        f.fail(new PeerException(ErrorCode.CORRUPT_CONTENT, String.format("piece %d of %s from parent %s has "
            + "CRC32C 0x%08x but the parent announced 0x%08x: strike this parent and fetch the piece elsewhere",
            f.piece, f.id, f.parent, crc, r.header.crc32c())), completions);
      } else {
        f.markSinkClosed();
        (f.sink.light() ? lightCompletions : completions).execute(() -> commit(f, r.header));
      }
    }
    pool.requestDone();
  }

  private void commit(ClientRequest.Fetch f, Frame.PieceHeader h) {
    try {
      f.sink.commit(h.crc32c());
    } catch (RuntimeException e) {
      if (e instanceof PeerException p && p.code() == ErrorCode.CORRUPT_CONTENT) {
        metrics.corruptPiece();
      }
      try {
        f.sink.abort();
      } catch (RuntimeException ignored) {
        // already failing
      }
      f.future.completeExceptionally(e);
      return;
    }
    metrics.pieceReceived();
    f.future.complete(new PieceResult(f.parent, f.id, f.piece, h.length(), h.crc32c(),
        Duration.ofNanos(System.nanoTime() - f.startNanos)));
  }

  private void onError(Frame.Error e) {
    String message = "parent " + pool.parent() + " refused: " + e.message();
    if (e.requestId() == Protocol.CONNECTION_REQUEST_ID) {
      closeWith(new TransferException(e.status(), message));
      return;
    }
    if (receiving != null) {
      throw protocol("an ERROR frame arrived inside the bytes of piece " + receiving.header.piece());
    }
    ClientRequest r = pending.remove(e.requestId());
    if (r == null) {
      throw protocol("ERROR for unknown request " + e.requestId());
    }
    r.fail(new TransferException(e.status(), message), completions);
    pool.requestDone();
  }

  private void onBitmap(Frame.Bitmap b) {
    if (receiving != null) {
      throw protocol("a BITMAP frame arrived inside the bytes of piece " + receiving.header.piece());
    }
    ClientRequest r = pending.remove(b.requestId());
    if (!(r instanceof ClientRequest.Bitmap req)) {
      throw protocol("BITMAP for request " + b.requestId() + " that did not ask for one");
    }
    PieceLayout layout;
    try {
      layout = new PieceLayout(b.length(), b.pieceLength());
    } catch (PeerException e) {
      throw protocol("BITMAP with an impossible layout: " + e.getMessage());
    }
    if (layout.pieceCount() != b.pieceCount()) {
      throw protocol("BITMAP says " + b.pieceCount() + " pieces, its layout has " + layout.pieceCount());
    }
    PieceBitmap result = new PieceBitmap(pool.parent(), req.id, b.kind(), layout, b.complete(), b.finished());
    completions.execute(() -> req.future.complete(result));
    pool.requestDone();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      if (inFlight() > 0) {
        closeWith(new PeerException(ErrorCode.UNAVAILABLE, "parent " + pool.parent() + " sent nothing for "
            + pool.settings().readTimeout().toSeconds() + " s while " + inFlight()
            + " requests were outstanding; fetch them elsewhere"));
      } else {
        ctx.close(); // an unused pooled connection
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof DecoderException && cause.getCause() instanceof FrameException f ? f : cause;
    if (c instanceof FrameException f) {
      closeWith(new PeerException(ErrorCode.UNAVAILABLE,
          "parent " + pool.parent() + " broke the data-plane protocol: " + f.getMessage()));
    } else {
      closeWith(new PeerException(ErrorCode.UNAVAILABLE,
          "connection to parent " + pool.parent() + " failed: " + c.getMessage(), c));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeWith(new PeerException(ErrorCode.UNAVAILABLE, "parent " + pool.parent() + " closed the connection"));
    ctx.fireChannelInactive();
  }

  private PeerException protocol(String message) {
    return new PeerException(ErrorCode.UNAVAILABLE,
        "parent " + pool.parent() + " broke the data-plane protocol: " + message);
  }

  /** Fails everything in flight with {@code cause} and closes; the pool forgets this connection. */
  void closeWith(PeerException cause) {
    if (closed) {
      return;
    }
    closed = true;
    if (receiving != null) {
      Receiving r = receiving;
      receiving = null;
      r.fetch.fail(cause, completions);
    }
    for (ClientRequest r : pending.values()) {
      r.fail(cause, completions);
    }
    pending.clear();
    if (channel != null) {
      channel.close();
    }
    log.debug("connection to {} closed: {}", pool.parent(), cause.getMessage());
    pool.disconnected(this, cause);
  }
}
