package io.trustmesh.proxy;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;

/**
 * Turns session resumption on for one BoringSSL context (see {@link Resumption}): a session cache,
 * sessions that expire after the configured lifetime, and ticket keys of this context alone, drawn
 * fresh, so that the next identity snapshot (an SVID rotation or a bundle change: what rebuilds the
 * contexts) cannot decrypt a ticket issued under this one. An allow-policy change does not rebuild
 * them; the authorize stage re-checks every resumed session against the current policy instead.
 */
final class SessionResumption {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SessionResumption() {}

  /** {@code context} resuming for {@code resumption}'s lifetime; never resuming when off or not BoringSSL. */
  static SslContext apply(SslContext context, Resumption resumption) {
    if (!resumption.enabled() || !(context instanceof ReferenceCountedOpenSslContext openssl)) {
      return TlsContexts.withoutResumption(context);
    }
    OpenSslSessionContext sessions = openssl.sessionContext();
    sessions.setSessionCacheEnabled(true);
    sessions.setSessionTimeout((int) resumption.lifetime().toSeconds());
    if (context.isServer()) {
      sessions.setTicketKeys(new OpenSslSessionTicketKey(random(OpenSslSessionTicketKey.NAME_SIZE),
          random(OpenSslSessionTicketKey.HMAC_KEY_SIZE), random(OpenSslSessionTicketKey.AES_KEY_SIZE)));
    }
    return context;
  }

  /** Whether {@link #apply} leaves this engine's contexts resuming. */
  static boolean resumes(TlsEngine engine, Resumption resumption) {
    return resumption.enabled() && !engine.isFallback();
  }

  private static byte[] random(int size) {
    byte[] b = new byte[size];
    RANDOM.nextBytes(b);
    return b;
  }
}
