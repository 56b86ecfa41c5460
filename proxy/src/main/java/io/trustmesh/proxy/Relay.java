package io.trustmesh.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import javax.net.ssl.SSLException;

/**
 * Moves bytes from its channel to the peer channel, one instance on each side of a proxied
 * connection. Backpressure end to end: when the peer's outbound buffer is above its high-water
 * mark, this side stops reading until the peer drains, so a slow reader never makes the proxy
 * buffer without bound. Half-close is carried across: when one side stops sending, the other's
 * output is shut down (TLS close_notify, then TCP FIN) while the reverse direction keeps flowing.
 */
final class Relay extends ChannelInboundHandlerAdapter {
  private final Connection conn;
  private final boolean clientSide;
  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  private Channel self;
  private Channel peer;
  private Relay peerRelay;
  private boolean inputDone;
  private boolean outputDone;

  Relay(Connection conn, boolean clientSide) {
    this.conn = conn;
    this.clientSide = clientSide;
  }

  /** Joins two sides; both channels must be on the same event loop. */
  static void link(Channel a, Relay ra, Channel b, Relay rb) {
    ra.self = a;
    rb.self = b;
    ra.peer = b;
    ra.peerRelay = rb;
    rb.peer = a;
    rb.peerRelay = ra;
    ra.drainPending();
    rb.drainPending();
    // a channel whose input is shut down must not be asked to read again (epoll refuses it)
    a.config().setAutoRead(b.isWritable() && !ra.inputDone);
    b.config().setAutoRead(a.isWritable() && !rb.inputDone);
    if (ra.inputDone) {
      ra.forwardInputDone();
    }
    if (rb.inputDone) {
      rb.forwardInputDone();
    }
  }

  private void drainPending() {
    boolean any = false;
    while (!pending.isEmpty()) {
      peer.write(pending.poll()).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
      any = true;
    }
    if (any) {
      peer.flush();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    self = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      if (clientSide) {
        conn.bytesFromClient += b.readableBytes();
      } else {
        conn.bytesToClient += b.readableBytes();
      }
    }
    if (peer == null) {
      pending.add(msg);
      return;
    }
    if (!peer.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    peer.write(msg).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (peer != null) {
      peer.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && peer != null && !peerRelay.inputDone) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ChannelInputShutdownEvent.INSTANCE || evt instanceof SslCloseCompletionEvent) {
      if (!inputDone) {
        inputDone = true;
        if (peer != null) {
          forwardInputDone();
        }
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** This side sent its last byte: finish the peer's output after what is queued, keep the rest open. */
  private void forwardInputDone() {
    peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> peerRelay.shutdownOutput());
    if (peerRelay.inputDone) {
      closeBoth();
    }
  }

  private void shutdownOutput() {
    if (outputDone || !self.isActive()) {
      return;
    }
    outputDone = true;
    SslHandler ssl = self.pipeline().get(SslHandler.class);
    if (ssl != null) {
      ssl.closeOutbound().addListener(f -> shutdownTcp());
    } else {
      shutdownTcp();
    }
  }

  private void shutdownTcp() {
    if (inputDone) {
      // both directions are finished: the close sends the FIN after what is queued, and skips a
      // shutdown(2) whose failed-writes exception (with a stack trace) Netty builds on every call
      closeBoth();
      return;
    }
    if (self instanceof DuplexChannel d && self.isActive()) {
      d.shutdownOutput();
    }
  }

  private void closeBoth() {
    closeAfterWrites(self);
    if (peer != null) {
      closeAfterWrites(peer);
    }
  }

  /** Closes once what is queued is written; a channel already closed is left alone (a write to it only makes an exception). */
  private static void closeAfterWrites(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pending.forEach(ReferenceCountUtil::release);
    pending.clear();
    if (peer != null && peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!clientSide && conn.direction.equals("outbound") && conn.bytesToClient == 0 && conn.result == null
        && self.pipeline().get(SslHandler.class) != null && isTlsError(cause)) {
      // TLS 1.3: the server judges our certificate after our side of the handshake is done, so its
      // refusal (certificate_required, unknown_ca, access_denied...) arrives on the first read
      Reasons.Verdict v = Reasons.of(cause, false);
      conn.fail(v.result(), v.cause(), "after the handshake: " + v.detail());
    }
    ctx.close();
  }

  private static boolean isTlsError(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }
}
