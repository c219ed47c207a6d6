package io.rayfile.d7y.peer.transfer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.rayfile.d7y.peer.ErrorCode;
import io.rayfile.d7y.peer.HostPort;
import io.rayfile.d7y.peer.PeerException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections to one parent and the requests waiting for room on them. Every connection of a parent lives on
 * the same event loop, so all of this state is confined to that loop without locks. A request goes to the
 * least-loaded connection with room in its window; another connection is opened (up to the limit) when every
 * open one is busy.
 *
 * <p>Light requests (pieces of small contents, bitmaps) go ahead of heavy ones and never onto a connection that
 * carries a heavy piece: responses on a connection arrive in order, so a 1 MiB clip asked for behind four 4 MiB
 * pieces of a model waited for all of them (200-500 ms in the media stress run). When every connection carries
 * heavy pieces, one more connection is opened as the <i>light lane</i>, which heavy requests never use.
 */
final class ParentPool {
  private final HostPort parent;
  private final EventLoop loop;
  private final ClientSettings settings;
  private final Executor completions;
  private final Bootstrap bootstrap;
  private final List<ParentConnection> connections = new ArrayList<>();
  private final ArrayDeque<ClientRequest> queue = new ArrayDeque<>();
  private final ArrayDeque<ClientRequest> lightQueue = new ArrayDeque<>();
  /** The connection reserved for light requests; null until heavy pieces first crowd one out. */
  private ParentConnection lightLane;
  private boolean lightLaneWanted;
  private int connecting;
  private boolean closed;
  /** Requests submitted and not yet over, from any thread: how {@link PieceClient} picks a shard for light ones. */
  final AtomicInteger outstanding = new AtomicInteger();

  ParentPool(HostPort parent, EventLoop loop, ClientSettings settings, TransferMetrics metrics,
      Executor completions, Executor lightCompletions) {
    this.parent = parent;
    this.loop = loop;
    this.settings = settings;
    this.completions = completions;
    ParentPool pool = this;
    this.bootstrap = new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
        // Up to 1 MiB per read: fewer, larger chunks into the sink. Each is still one read, never a whole piece.
        .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 64 * 1024, 1 << 20))
        .remoteAddress(parent.host(), parent.port())
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline()
                .addLast("idle", new IdleStateHandler(settings.readTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast("encoder", FrameEncoder.INSTANCE)
                .addLast("decoder", new ResponseDecoder())
                .addLast("requests", new ParentConnection(pool, metrics, completions, lightCompletions));
          }
        });
  }

  HostPort parent() {
    return parent;
  }

  ClientSettings settings() {
    return settings;
  }

  /** Queues {@code request} (from any thread). */
  void submit(ClientRequest request) {
    try {
      loop.execute(() -> {
        if (closed) {
          request.fail(new PeerException(ErrorCode.UNAVAILABLE, "the piece client is closed"), completions);
        } else if (queue.size() + lightQueue.size() >= settings.maxQueuedPerParent()) {
          request.fail(new PeerException(ErrorCode.UNAVAILABLE, queue.size() + lightQueue.size() + " requests "
              + "already wait for parent " + parent + "; ask other parents or wait for answers"), completions);
        } else {
          (request.isLight() ? lightQueue : queue).add(request);
          dispatch();
        }
      });
    } catch (RejectedExecutionException e) {
      request.fail(new PeerException(ErrorCode.UNAVAILABLE, "the piece client is closed"), completions);
    }
  }

  /** Moves waiting requests onto connections with room, light ones first, opening one when all are busy. */
  private void dispatch() {
    if (closed) {
      return;
    }
    dispatch(lightQueue, true);
    dispatch(queue, false);
  }

  private void dispatch(ArrayDeque<ClientRequest> waiting, boolean light) {
    while (!waiting.isEmpty()) {
      ParentConnection best = null;
      boolean anyIdle = false;
      boolean crowded = false;
      for (ParentConnection c : connections) {
        if (!c.isActive() || (!light && c == lightLane)) {
          continue;
        }
        anyIdle |= c.inFlight() == 0;
        if (light && c.carriesHeavy()) {
          crowded = true;
          continue;
        }
        if (c.inFlight() < settings.maxInFlightPerConnection() && (best == null || c.inFlight() < best.inFlight())) {
          best = c;
        }
      }
      if (best == null && light && crowded && lightLane == null && !lightLaneWanted) {
        lightLaneWanted = true;
        connect();
      } else if (!anyIdle && connecting == 0 && connections.size() - (lightLane == null ? 0 : 1)
          < settings.connectionsPerParent()) {
        connect();
      }
      if (best == null) {
        return; // wait for room or for the new connection
      }
      ClientRequest r = waiting.poll();
      if (r.isDone()) {
        r.fail(new PeerException(ErrorCode.INTERNAL, "cancelled"), completions); // aborts its sink
        continue;
      }
      best.send(r);
    }
  }

  private void connect() {
    connecting++;
    bootstrap.connect().addListener(f -> {
      if (!f.isSuccess()) {
        connecting--;
        lightLaneWanted = false;
        if (connections.isEmpty() && connecting == 0) {
          failQueued(new PeerException(ErrorCode.UNAVAILABLE,
              "cannot connect to parent " + parent + ": " + f.cause().getMessage(), f.cause()));
        }
      }
    });
  }

  /** A connection became active (called on the loop). */
  void connected(ParentConnection c) {
    connecting--;
    if (closed) {
      c.closeWith(new PeerException(ErrorCode.UNAVAILABLE, "the piece client is closed"));
      return;
    }
    connections.add(c);
    if (lightLaneWanted) {
      lightLaneWanted = false;
      lightLane = c;
    }
    dispatch();
  }

  /** A connection closed; its requests have been failed already (called on the loop). */
  void disconnected(ParentConnection c, PeerException cause) {
    if (c == lightLane) {
      lightLane = null;
    }
    if (connections.remove(c)) {
      dispatch();
    }
  }

  /** A response completed on some connection: there is room for another request. */
  void requestDone() {
    dispatch();
  }

  /** Fails everything and closes every connection (from any thread). */
  void close() {
    try {
      loop.execute(() -> {
        closed = true;
        PeerException cause = new PeerException(ErrorCode.UNAVAILABLE, "the piece client is closed");
        failQueued(cause);
        for (ParentConnection c : List.copyOf(connections)) {
          c.closeWith(cause);
        }
      });
    } catch (RejectedExecutionException e) {
      // the loop is gone already
    }
  }

  private void failQueued(PeerException cause) {
    for (ArrayDeque<ClientRequest> waiting : List.of(lightQueue, queue)) {
      ClientRequest r;
      while ((r = waiting.poll()) != null) {
        r.fail(cause, completions);
      }
    }
  }
}
