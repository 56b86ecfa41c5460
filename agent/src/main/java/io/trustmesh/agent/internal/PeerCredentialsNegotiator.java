package io.trustmesh.agent.internal;

import io.grpc.Attributes;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.ProtocolNegotiationEvent;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.AsciiString;

/**
 * A plaintext gRPC negotiator for unix sockets that reads the connecting process's credentials
 * (SO_PEERCRED: pid, uid, gids) when the connection is accepted, and what {@code /proc} says about
 * that process at that moment ({@link PeerProcess}), into the transport attributes, where the
 * Workload API's interceptor finds them and compares them with the process at each call.
 */
public final class PeerCredentialsNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
  public static final Attributes.Key<PeerCredentials> PEER_CREDENTIALS = Attributes.Key.create("trustmesh-peer-credentials");
  /** The peer process as it was when the connection was accepted; absent if it had already gone. */
  public static final Attributes.Key<PeerProcess> PEER_AT_ACCEPT = Attributes.Key.create("trustmesh-peer-at-accept");
  private static final AsciiString SCHEME = AsciiString.of("http");

  @Override
  public AsciiString scheme() {
    return SCHEME;
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    ChannelHandler next = InternalProtocolNegotiators.grpcNegotiationHandler(grpcHandler);
    ChannelHandler creds = new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ProtocolNegotiationEvent pne) {
          Attributes.Builder attrs = InternalProtocolNegotiationEvent.getAttributes(pne).toBuilder();
          if (ctx.channel() instanceof EpollDomainSocketChannel uds) {
            PeerCredentials pc = uds.peerCredentials();
            attrs.set(PEER_CREDENTIALS, pc);
            PeerProcess.read(pc.pid()).ifPresent(p -> attrs.set(PEER_AT_ACCEPT, p));
          }
          ctx.pipeline().replace(ctx.name(), null, next);
          ctx.fireUserEventTriggered(InternalProtocolNegotiationEvent.withAttributes(pne, attrs.build()));
        } else {
          super.userEventTriggered(ctx, evt);
        }
      }
    };
    return InternalProtocolNegotiators.waitUntilActiveHandler(creds, grpcHandler.getNegotiationLogger());
  }

  @Override
  public void close() {}
}
