package io.rayfile.d7y.peer.transfer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerException;
import io.rayfile.d7y.peer.storage.ContentStore;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the finished pieces of a {@link ContentStore} to other peers (its children): a half-finished download is
 * already a parent. Piece bytes go out as zero-copy file regions, within the daemon's upload slots and byte rate.
 *
 * <pre>{@code
 * try (PieceServer server = PieceServer.start(new HostPort("0.0.0.0", 0), store, ServerSettings.defaults(),
 *     TransferMetrics.NOOP)) {
 *   int port = server.port(); // announce it to the scheduler
 * }
 * }</pre>
 */
public final class PieceServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PieceServer.class);

  private final EventLoopGroup group;
  private final Channel channel;
  private final UploadLimiter limiter;

  private PieceServer(EventLoopGroup group, Channel channel, UploadLimiter limiter) {
    this.group = group;
    this.channel = channel;
    this.limiter = limiter;
  }

  /**
   * Binds {@code bind} (port 0 picks a free port) and starts serving.
   *
   * @throws PeerException UNAVAILABLE when the address cannot be bound
   */
  public static PieceServer start(HostPort bind, ContentStore store, ServerSettings settings,
      TransferMetrics metrics) {
    return start(bind, store, settings, metrics, System::nanoTime);
  }

  /** As {@link #start(HostPort, ContentStore, ServerSettings, TransferMetrics)} with the rate bucket's clock. */
  static PieceServer start(HostPort bind, ContentStore store, ServerSettings settings, TransferMetrics metrics,
      LongSupplier nanoTime) {
    TokenBucket bucket = new TokenBucket(settings.uploadRate(), settings.rateBurst(), nanoTime);
    UploadLimiter limiter = new UploadLimiter(settings.uploadSlots(), settings.uploadQueue(), bucket);
    UploadClaims claims = new UploadClaims(nanoTime);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(settings.ioThreads(),
        new DefaultThreadFactory("rayfile-upload", true), NioIoHandler.newFactory());
    try {
      ServerBootstrap b = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              configure(ch, store, limiter, claims, settings, metrics);
            }
          });
      Channel channel = b.bind(new InetSocketAddress(bind.host(), bind.port())).syncUninterruptibly().channel();
      log.info("serving pieces on {}", channel.localAddress());
      return new PieceServer(group, channel, limiter);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new PeerException(ErrorCode.UNAVAILABLE,
          "cannot serve pieces on " + bind + ": " + e.getMessage() + "; pick a free port with --data-port", e);
    }
  }

  /** The server's pipeline, one handler per concern (exposed for tests with {@code EmbeddedChannel}). */
  static void configure(Channel ch, ContentStore store, UploadLimiter limiter, UploadClaims claims,
      ServerSettings settings, TransferMetrics metrics) {
    UploadHandler uploads = new UploadHandler(store, limiter, claims, settings, metrics);
    ch.pipeline()
        .addLast("idle", new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast("idle-guard", new IdleGuard(uploads::busy))
        .addLast("write-timeout", new WriteTimeoutHandler(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS))
        .addLast("encoder", FrameEncoder.INSTANCE)
        .addLast("decoder", new RequestDecoder())
        .addLast("uploads", uploads);
  }

  /** The port actually bound. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** The address actually bound. */
  public HostPort address() {
    InetSocketAddress a = (InetSocketAddress) channel.localAddress();
    return new HostPort(a.getAddress().getHostAddress(), a.getPort());
  }

  /** Free upload slots right now (for the scheduler's load report). */
  public int freeUploadSlots() {
    return limiter.freeSlots();
  }

  /** Stops accepting, closes every connection (uploads in progress are cut) and releases the threads. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
