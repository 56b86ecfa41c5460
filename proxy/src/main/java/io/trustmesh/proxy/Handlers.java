package io.trustmesh.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.time.Durations;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The per-connection handlers, in pipeline order: guard (limit, deadline, idle, accounting) →
 * sniff (permissive only) → TLS → gate (authorization verdict, then relay).
 */
final class Handlers {
  private Handlers() {}

  /**
   * First in every client pipeline: enforces the connection limit and the handshake deadline,
   * closes idle connections, and writes the connection's record when it ends.
   */
  static final class Guard extends ChannelInboundHandlerAdapter {
    private final Sidecar sidecar;
    private final Connection conn;
    private final AtomicInteger listenerActive;
    private boolean counted;
    private ScheduledFuture<?> deadline;

    Guard(Sidecar sidecar, Connection conn, AtomicInteger listenerActive) {
      this.sidecar = sidecar;
      this.conn = conn;
      this.listenerActive = listenerActive;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      int max = sidecar.limits().maxConnections();
      if (sidecar.active.incrementAndGet() > max) {
        sidecar.active.decrementAndGet();
        conn.fail(Connection.REJECTED, "connection limit of " + max + " reached");
        ctx.close();
        return;
      }
      counted = true;
      listenerActive.incrementAndGet();
      long timeout = sidecar.limits().handshakeTimeout().toMillis();
      deadline = ctx.executor().schedule(() -> {
        if (!conn.established && ctx.channel().isActive()) {
          conn.fail(Connection.HANDSHAKE_FAILED, Cause.NO_RESPONSE, "handshake not completed within "
              + Durations.format(sidecar.limits().handshakeTimeout())
              + (conn.direction.equals("inbound") ? " (the client sent nothing or stalled)"
                  : " (the client or the upstream server stalled)"));
          ctx.close();
        }
      }, timeout, TimeUnit.MILLISECONDS);
      ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        if (conn.established && conn.result == null) {
          conn.reason = "closed after " + Durations.format(sidecar.limits().idleTimeout())
              + " idle";
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
        sidecar.active.decrementAndGet();
        listenerActive.decrementAndGet();
        sidecar.connectionEnded();
      }
      if (conn.finish()) {
        sidecar.record(conn);
      }
      ctx.fireChannelInactive();
    }
  }

  /**
   * PERMISSIVE: looks at the first byte. A TLS handshake record (0x16) goes to TLS; anything else
   * is plaintext and is relayed as it is.
   */
  static final class Sniffer extends ByteToMessageDecoder {
    private final Supplier<SslContext> tls;
    private final Runnable onPlaintext;
    private final ChannelInboundHandlerAdapter gate;

    Sniffer(Supplier<SslContext> tls, ChannelInboundHandlerAdapter gate, Runnable onPlaintext) {
      this.tls = tls;
      this.gate = gate;
      this.onPlaintext = onPlaintext;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (!in.isReadable()) {
        return;
      }
      if (in.getUnsignedByte(in.readerIndex()) == 0x16) {
        ctx.pipeline().addAfter(ctx.name(), "tls", newSslHandler(ctx, tls.get()));
        ctx.pipeline().addAfter("tls", "gate", gate);
      } else {
        onPlaintext.run();
      }
      ctx.pipeline().remove(this);
    }
  }

  static SslHandler newSslHandler(ChannelHandlerContext ctx, SslContext context) {
    SslHandler h = context.newHandler(ctx.alloc());
    h.setHandshakeTimeoutMillis(0); // the guard's deadline covers the whole handshake
    return h;
  }

  /** After the server-side handshake: record the peer, then start relaying to the target. */
  static final class InboundGate extends ChannelInboundHandlerAdapter {
    private final Sidecar sidecar;
    private final Connection conn;
    private final InetSocketAddress target;

    InboundGate(Sidecar sidecar, Connection conn, InetSocketAddress target) {
      this.sidecar = sidecar;
      this.conn = conn;
      this.target = target;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        if (e.isSuccess()) {
          SslHandler tls = ctx.pipeline().get(SslHandler.class);
          TlsContexts.forgetSession(tls);
          conn.tlsEstablished(tls, true);
          ctx.pipeline().remove(this);
          sidecar.relay(ctx.channel(), conn, target.getHostString(), target.getPort(), null, null, false);
        } else {
          refuse(ctx, e.cause());
        }
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    private void refuse(ChannelHandlerContext ctx, Throwable cause) {
      if (!conn.established && conn.result == null) {
        Reasons.Verdict v = Reasons.of(cause, true);
        conn.fail(v.result(), v.cause(), v.detail());
        // the client attempted TLS unless what it sent was not a TLS record at all
        conn.tls = v.cause() != Cause.NOT_TLS && v.cause() != Cause.PLAINTEXT_HTTP && v.cause() != Cause.PLAINTEXT_SSH;
        conn.mutual = conn.tls;
        if (v.peerId() != null) {
          conn.peerId = v.peerId();
        }
        sidecar.logRefusal(conn);
      }
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      refuse(ctx, cause);
    }
  }

  /** After the client-side handshake with the upstream: record the server, then link the relays. */
  static final class OutboundGate extends ChannelInboundHandlerAdapter {
    private final Sidecar sidecar;
    private final Connection conn;
    private final Runnable onReady;
    private final io.netty.channel.Channel client;
    private final boolean mutual;

    OutboundGate(Sidecar sidecar, Connection conn, io.netty.channel.Channel client, boolean mutual,
        Runnable onReady) {
      this.mutual = mutual;
      this.sidecar = sidecar;
      this.conn = conn;
      this.client = client;
      this.onReady = onReady;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        if (e.isSuccess()) {
          SslHandler tls = ctx.pipeline().get(SslHandler.class);
          TlsContexts.forgetSession(tls);
          conn.tlsEstablished(tls, mutual);
          ctx.pipeline().remove(this);
          onReady.run();
        } else {
          refuse(ctx, e.cause());
        }
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    private void refuse(ChannelHandlerContext ctx, Throwable cause) {
      if (!conn.established && conn.result == null) {
        Reasons.Verdict v = Reasons.of(cause, false);
        conn.fail(v.result(), v.cause(), v.detail());
        if (v.peerId() != null) {
          conn.peerId = v.peerId();
        }
        sidecar.logRefusal(conn);
      }
      ctx.close();
      client.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      refuse(ctx, cause);
    }
  }
}
