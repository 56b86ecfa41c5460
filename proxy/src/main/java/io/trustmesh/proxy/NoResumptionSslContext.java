package io.trustmesh.proxy;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.SSLEngine;

/**
 * A TLS context on which no session is ever resumed (issue 9 item 5). A resumed session skips the
 * trust manager, so a peer whose certificate has expired since, whose CA left the bundle or whose
 * ID the allow policy no longer admits would get in on a ticket or session ID issued before; with
 * this wrapper every connection is a full handshake that verifies the chain and the policy now.
 *
 * <p>BoringSSL: the session cache is switched off (TLS 1.2 session IDs, stateful TLS 1.3 PSKs) and
 * every engine gets {@code SSL_OP_NO_TICKET} before its handshake: Netty's server context turns
 * tickets on with random keys (TLS 1.2 tickets and TLS 1.3 PSKs advertised for 48 h), and the
 * option is per connection-settable only through the engine. The JDK engine (fallback) is covered
 * by {@link TlsContexts#forgetSession}, called when a handshake completes.
 */
final class NoResumptionSslContext extends DelegatingSslContext {
  private NoResumptionSslContext(SslContext delegate) {
    super(delegate);
  }

  static SslContext wrap(SslContext context) {
    if (context instanceof ReferenceCountedOpenSslContext openssl) {
      openssl.sessionContext().setSessionCacheEnabled(false);
    }
    return new NoResumptionSslContext(context);
  }

  @Override
  protected void initEngine(SSLEngine engine) {
    if (engine instanceof ReferenceCountedOpenSslEngine openssl) {
      SSL.setOptions(openssl.sslPointer(), SSL.SSL_OP_NO_TICKET);
    }
  }
}
