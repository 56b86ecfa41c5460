package io.trustmesh.proxy;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLEngine;

/**
 * Makes every {@link SslHandler} the sidecar uses, inbound and outbound, the same way: no handshake
 * timeout of its own (the guard's deadline covers the whole handshake), and a {@link
 * HandshakeOutcomes} slot that the verifier fills and the authorize stage reads, released when the
 * channel closes.
 */
final class SslHandlers {
  /** A handler and the slot where our verifier leaves its verdict on the peer. */
  record Tls(SslHandler handler, HandshakeOutcomes.Slot outcome) {}

  static final int WRAP_DATA_SIZE = 64 * 1024;

  private final HandshakeOutcomes outcomes;

  SslHandlers(HandshakeOutcomes outcomes) {
    this.outcomes = outcomes;
  }

  HandshakeOutcomes outcomes() {
    return outcomes;
  }

  /** The server side of an inbound connection. */
  Tls server(Channel ch, SslContext context) {
    return install(ch, context.newHandler(ch.alloc()));
  }

  /** The client side of an upstream connection; {@code sni} and {@code port} also key a client session cache. */
  Tls client(Channel ch, SslContext context, String sni, int port) {
    return install(ch, context.newHandler(ch.alloc(), sni, port));
  }

  private Tls install(Channel ch, SslHandler handler) {
    handler.setHandshakeTimeoutMillis(0);
    // what is pending at a flush is wrapped in pieces of up to 64 KiB (four TLS records) instead of
    // one record at a time: a bulk download then costs a quarter of the wrap calls, output buffers
    // and writev entries; small writes are wrapped as they come, as before
    handler.setWrapDataSize(WRAP_DATA_SIZE);
    SSLEngine engine = handler.engine();
    HandshakeOutcomes.Slot slot = outcomes.open(engine);
    ch.closeFuture().addListener(f -> outcomes.close(engine));
    return new Tls(handler, slot);
  }
}
