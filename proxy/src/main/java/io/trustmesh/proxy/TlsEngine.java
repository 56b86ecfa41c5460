package io.trustmesh.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
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
}
