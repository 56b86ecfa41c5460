package io.trustmesh.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.function.Supplier;

/**
 * The relay stage's other end: connects to the target on the client's event loop and, once the
 * target is reached (and, with TLS, the server has passed its own authorize stage), links the two
 * {@link Relay}s so that bytes flow both ways.
 */
final class Upstream {
  /**
   * TLS to the target.
   *
   * @param sni the server name sent (and the client session cache's key with the port)
   * @param mutual whether we present our SVID
   * @param currentCheck the listener's check of the server as of now, for a resumed session
   * @param resumable whether the session may be kept for resumption
   */
  record Tls(SslContext context, String sni, boolean mutual, Supplier<PeerCheck> currentCheck, boolean resumable) {}

  private final TlsEngine engine;
  private final ConnectionContext context;
  private final SslHandlers sslHandlers;

  Upstream(TlsEngine engine, ConnectionContext context, SslHandlers sslHandlers) {
    this.engine = engine;
    this.context = context;
    this.sslHandlers = sslHandlers;
  }

  /**
   * An IP literal needs no resolver: connecting to it resolved spares every connection a pass
   * through the resolver group. A host name is still resolved per connection, as before.
   */
  private static InetSocketAddress address(InetSocketAddress target) {
    if (!target.isUnresolved()) {
      return target;
    }
    String host = target.getHostString();
    int port = target.getPort();
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
    if (ip != null) {
      try {
        return new InetSocketAddress(InetAddress.getByAddress(host, ip), port);
      } catch (UnknownHostException e) {
        // only for an address of the wrong length, which a parsed literal never is
      }
    }
    return target;
  }

  /** Relays {@code client} to {@code host:port}; with {@code tls} (may be null) the upstream handshake comes first. */
  void connect(Channel client, Connection conn, String host, int port, Tls tls) {
    connect(client, conn, InetSocketAddress.createUnresolved(host, port), tls);
  }

  /** Relays {@code client} to {@code target}: TCP (resolved on connect) or a unix socket (plaintext only). */
  void connect(Channel client, Connection conn, SocketAddress target, Tls tls) {
    boolean unix = target instanceof UnixDomainSocketAddress;
    int port = target instanceof InetSocketAddress inet ? inet.getPort() : 0;
    client.config().setAutoRead(false);
    if (tls != null && conn.direction.equals("outbound")) {
      // what the sidecar attempts, so that a failed attempt is not counted as plaintext
      conn.tls = true;
      conn.mutual = tls.mutual();
    }
    Relay clientRelay = new Relay(conn, true);
    Relay upstreamRelay = new Relay(conn, false);
    client.pipeline().addLast("relay", clientRelay);
    Bootstrap b = new Bootstrap().group(client.eventLoop())
        .channel(unix ? engine.domainChannel() : engine.socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) context.limits().connectTimeout().toMillis())
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel up) {
            if (tls != null) {
              SslHandlers.Tls t = sslHandlers.client(up, tls.context(), tls.sni(), port);
              up.pipeline().addLast("tls", t.handler());
              up.pipeline().addLast("authorize", new AuthorizeStage(context, conn, t.outcome(), tls.currentCheck(),
                  false, tls.mutual(), tls.resumable(), () -> Relay.link(client, clientRelay, up, upstreamRelay),
                  client::close));
            }
            up.pipeline().addLast("relay", upstreamRelay);
          }
        });
    if (!unix) {
      b.option(ChannelOption.TCP_NODELAY, true);
    }
    SocketAddress to = unix
        ? engine.domainAddress(((UnixDomainSocketAddress) target).getPath())
        : address((InetSocketAddress) target);
    b.connect(to).addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        conn.fail(Connection.UPSTREAM_FAILED, "cannot connect to target " + Addresses.describe(target) + ": "
            + Reasons.socketError(f.cause()));
        client.close();
        return;
      }
      if (!client.isActive()) {
        f.channel().close();
        return;
      }
      if (tls == null) {
        if (conn.direction.equals("outbound")) {
          conn.plaintextEstablished();
        }
        Relay.link(client, clientRelay, f.channel(), upstreamRelay);
      }
    });
  }
}
