package io.trustmesh.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.time.Durations;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * First in every client pipeline, right after accept: enforces the connection limit and the
 * handshake deadline, closes idle connections, and reports the connection once when it ends.
 */
final class GuardStage extends ChannelInboundHandlerAdapter {
  private final ConnectionContext context;
  private final Connection conn;
  private final AtomicInteger listenerActive;
  private boolean counted;
  private ScheduledFuture<?> deadline;

  GuardStage(ConnectionContext context, Connection conn, AtomicInteger listenerActive) {
    this.context = context;
    this.conn = conn;
    this.listenerActive = listenerActive;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Limits limits = context.limits();
    if (!context.admit()) {
      conn.fail(Connection.REJECTED, "connection limit of " + limits.maxConnections() + " reached");
      ctx.close();
      return;
    }
    counted = true;
    listenerActive.incrementAndGet();
    deadline = ctx.executor().schedule(() -> {
      if (!conn.established && ctx.channel().isActive()) {
        conn.fail(Connection.HANDSHAKE_FAILED, Cause.NO_RESPONSE, "handshake not completed within "
            + Durations.format(limits.handshakeTimeout())
            + (conn.direction.equals("inbound") ? " (the client sent nothing or stalled)"
                : " (the client or the upstream server stalled)"));
        ctx.close();
      }
    }, limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (conn.established && conn.result == null) {
        conn.reason = "closed after " + Durations.format(context.limits().idleTimeout()) + " idle";
      }
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (deadline != null) {
      deadline.cancel(false);
    }
    if (counted) {
      listenerActive.decrementAndGet();
      context.release();
    }
    if (conn.finish(context.clock().instant())) {
      context.record(conn);
    }
    ctx.fireChannelInactive();
  }
}
