package io.trustmesh.proxy;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the admin endpoint from taking what the data path needs: a small cap of its own on open
 * connections, a reserve of file descriptors it never dips into, an idle timeout and a request
 * timeout. A connection over a bound is closed as soon as it is accepted; its fd is back at once.
 */
final class AdminGate {
  private final AdminLimits limits;
  private final AtomicInteger open = new AtomicInteger();
  private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

  AdminGate(AdminLimits limits) {
    this.limits = limits;
  }

  AdminLimits limits() {
    return limits;
  }

  /**
   * Counts a new admin connection in; false (and not counted) when it must be closed at once. At
   * the cap, the admin listener stops accepting ({@code autoRead} off on {@code listener}): further
   * connections wait in the kernel's small backlog and take no descriptor of ours, instead of being
   * accepted in a burst and closed (a burst of accepts alone exhausted a 256-fd limit).
   */
  boolean admit(Channel listener) {
    int now = open.incrementAndGet();
    if (now > limits.maxConnections() || !fdsToSpare()) {
      open.decrementAndGet();
      return false;
    }
    if (now >= limits.maxConnections()) {
      listener.config().setAutoRead(false);
    }
    return true;
  }

  void release(Channel listener) {
    open.decrementAndGet();
    if (!listener.config().isAutoRead()) {
      listener.config().setAutoRead(true);
    }
  }

  int open() {
    return open.get();
  }

  /** True unless fewer than the reserve remain below the process's descriptor limit. */
  private boolean fdsToSpare() {
    OptionalLong[] counts = descriptors();
    if (counts[0].isEmpty() || counts[1].isEmpty()) {
      return true; // not a Unix JVM: the connection cap alone bounds admin use
    }
    return counts[1].getAsLong() - counts[0].getAsLong() > limits.fdReserve();
  }

  private OptionalLong[] descriptors() {
    if (os instanceof UnixOperatingSystemMXBean unix) {
      return new OptionalLong[] {OptionalLong.of(unix.getOpenFileDescriptorCount()),
          OptionalLong.of(unix.getMaxFileDescriptorCount())};
    }
    return new OptionalLong[] {OptionalLong.empty(), OptionalLong.empty()};
  }

  /**
   * First in every admin pipeline: closes the connection when idle, and when a request does not
   * arrive complete within the request timeout of the connection opening or the last response.
   */
  static final class Deadlines extends ChannelDuplexHandler {
    private final AdminLimits limits;
    private ScheduledFuture<?> requestDeadline;

    Deadlines(AdminLimits limits) {
      this.limits = limits;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      armRequestDeadline(ctx);
      ctx.fireChannelActive();
    }

    private void armRequestDeadline(ChannelHandlerContext ctx) {
      cancel();
      requestDeadline = ctx.executor().schedule(() -> {
        ctx.close();
      }, limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancel() {
      if (requestDeadline != null) {
        requestDeadline.cancel(false);
        requestDeadline = null;
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest || msg instanceof LastHttpContent) {
        cancel(); // a whole request: the handler answers it now
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof LastHttpContent) {
        promise = promise.unvoid();
        promise.addListener(f -> {
          if (ctx.channel().isActive()) {
            armRequestDeadline(ctx); // the next request gets the same time
          }
        });
      }
      ctx.write(msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancel();
      ctx.fireChannelInactive();
    }
  }
}
