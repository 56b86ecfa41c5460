package io.trustmesh.proxy;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslProvider;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which TLS library and which transport the sidecar runs on, and why not the fast path when it
 * does not: BoringSSL (netty-tcnative) with epoll when both load, else the JDK's TLS and NIO.
 *
 * <p>{@code -Dtrustmesh.tls.engine=jdk} forces the JDK engine (to compare, or to work around a
 * native problem).
 */
public record TlsEngine(SslProvider provider, String library, boolean epoll, Optional<String> fallbackReason) {
  public static final String FORCE_PROPERTY = "trustmesh.tls.engine";

  public static TlsEngine probe() {
    boolean epoll = Epoll.isAvailable();
    String forced = System.getProperty(FORCE_PROPERTY, "");
    if (forced.equalsIgnoreCase("jdk")) {
      return new TlsEngine(SslProvider.JDK, "JDK " + System.getProperty("java.version"), epoll,
          Optional.of("JDK TLS forced by -D" + FORCE_PROPERTY + "=jdk"));
    }
    if (OpenSsl.isAvailable()) {
      return new TlsEngine(SslProvider.OPENSSL, OpenSsl.versionString(), epoll, Optional.empty());
    }
    Throwable why = OpenSsl.unavailabilityCause();
    return new TlsEngine(SslProvider.JDK, "JDK " + System.getProperty("java.version"), epoll,
        Optional.of("BoringSSL (netty-tcnative) unavailable: " + (why == null ? "unknown" : why.toString())));
  }

  public boolean isFallback() {
    return provider == SslProvider.JDK;
  }

  /** One line for the start banner and /ready. */
  public String describe() {
    return (provider == SslProvider.OPENSSL ? library : library + " TLS (fallback)")
        + ", " + (epoll ? "epoll" : "NIO") + fallbackReason.map(r -> "; " + r).orElse("");
  }

  IoHandlerFactory ioHandlerFactory() {
    return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  Class<? extends SocketChannel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  Class<? extends ServerChannel> serverDomainChannel() {
    return epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
  }

  Class<? extends Channel> domainChannel() {
    return epoll ? EpollDomainSocketChannel.class : NioDomainSocketChannel.class;
  }

  /** A unix socket path as the transport wants it: Netty's own address for epoll, the JDK's for NIO. */
  SocketAddress domainAddress(Path path) {
    return epoll ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
  }
}
