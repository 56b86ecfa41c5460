package io.trustmesh.agent;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.trustmesh.agent.internal.PeerCredentialsNegotiator;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.api.uds.PrivateSocket;
import io.trustmesh.api.uds.SocketDirectory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The SPIFFE Workload API on a unix socket. The socket is mode 0666 — any local process may ask, and
 * what it gets depends only on its attested selectors — in a directory owned by the agent's user (or
 * root) and writable by nobody else, created 0755 when missing. It is bound the way
 * {@link PrivateSocket} binds: never chmod'ed through a path another user could swap, never
 * replacing a live agent's socket.
 */
final class WorkloadApiServer implements AutoCloseable {
  private final EventLoopGroup group;
  private Server server;
  private PrivateSocket socket;

  private WorkloadApiServer() {
    this.group = new EpollEventLoopGroup(2, UnixSockets.daemonThreads("trustmesh-workload-api"));
  }

  static WorkloadApiServer start(Path path, WorkloadIdentities identities) {
    WorkloadApiServer s = new WorkloadApiServer();
    try {
      s.socket = PrivateSocket.bind(path, SocketDirectory.SHARED, "rw-rw-rw-", "--socket", at -> {
        s.server = NettyServerBuilder.forAddress(new DomainSocketAddress(at.toFile()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(s.group)
            .workerEventLoopGroup(s.group)
            .protocolNegotiator(new PeerCredentialsNegotiator())
            .addService(ServerInterceptors.intercept(new WorkloadApiService(identities), new CallerAttestation()))
            .build()
            .start();
        return s.server::shutdownNow;
      });
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** The socket's real path, in the checked directory. */
  Path path() {
    return socket.path();
  }

  @Override
  public void close() {
    if (server != null) {
      server.shutdownNow();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    if (socket != null) {
      socket.close();
    }
  }
}
