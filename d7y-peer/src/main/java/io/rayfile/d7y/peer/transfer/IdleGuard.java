package io.rayfile.d7y.peer.transfer;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose reader went idle (see the {@code IdleStateHandler} before it) unless {@code busy}
 * says a response is still being produced for it: a client waiting for a slow piece sends nothing and must not be
 * cut off, while a client that stalls half-way through a frame, or an unused connection, is closed.
 */
final class IdleGuard extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(IdleGuard.class);

  private final BooleanSupplier busy;
  IdleGuard(BooleanSupplier busy) {
    this.busy = busy;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent e && e.state() == io.netty.handler.timeout.IdleState.READER_IDLE) {
      if (!busy.getAsBoolean()) {
        log.debug("closing idle connection {}", ctx.channel());
        ctx.close();
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }
}
