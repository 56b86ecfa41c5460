package io.trustmesh.api.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** gRPC channels over unix domain sockets (epoll). */
public final class UnixSockets {
  private UnixSockets() {}

  /** A plaintext gRPC channel to a unix socket; closing it also stops its event loop. */
  public static ManagedChannel channel(Path socket) {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("unix sockets need Netty's epoll transport: "
          + Epoll.unavailabilityCause().getMessage());
    }
    EventLoopGroup group = new EpollEventLoopGroup(1, daemonThreads("trustmesh-uds-client"));
    ManagedChannel ch = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
        .eventLoopGroup(group)
        .channelType(EpollDomainSocketChannel.class)
        .usePlaintext()
        .build();
    return new ClosingChannel(ch, group);
  }

  public static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Shuts the event loop down together with the channel. */
  private static final class ClosingChannel extends ManagedChannel {
    private final ManagedChannel delegate;
    private final EventLoopGroup group;

    ClosingChannel(ManagedChannel delegate, EventLoopGroup group) {
      this.delegate = delegate;
      this.group = group;
    }

    @Override
    public ManagedChannel shutdown() {
      delegate.shutdown();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      return this;
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      delegate.shutdownNow();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public <Q, S> io.grpc.ClientCall<Q, S> newCall(io.grpc.MethodDescriptor<Q, S> method, io.grpc.CallOptions options) {
      return delegate.newCall(method, options);
    }

    @Override
    public String authority() {
      return delegate.authority();
    }
  }
}
