package io.trustmesh.proxy;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;

/**
 * Builds the Netty TLS contexts from one identity snapshot: TLS 1.3 preferred, 1.2 with ECDHE and
 * AEAD only, trust decided by trustmesh's verifier. A context is immutable; a reload builds new
 * ones beside the old.
 */
final class TlsContexts {
  private TlsContexts() {}

  /** The mTLS server context of an inbound listener: a client certificate is required. */
  static SslContext server(TlsEngine engine, X509Svid svid, X509BundleSet bundles, AllowPolicy allow, Clock clock)
      throws SSLException {
    SpiffeTrustManager tm = new SpiffeTrustManager(() -> bundles, allow, clock);
    return withoutResumption(SslContextBuilder.forServer(svid.privateKey(), svid.chain().toArray(new X509Certificate[0]))
        .sslProvider(engine.provider())
        .protocols(TlsDefaults.PROTOCOLS)
        .ciphers(TlsDefaults.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(new AlertingTrustManager(tm))
        .build());
  }

  /** The client context of an outbound upstream. */
  static SslContext client(TlsEngine engine, OutboundListener spec, X509Svid svid, X509BundleSet bundles, Clock clock)
      throws SSLException {
    TrustManager tm;
    X509BundleSet merged = spec.serverName().isPresent() ? bundles : bundles(spec, bundles);
    if (spec.serverName().isPresent()) {
      tm = new DnsNameTrustManager(spec.caBundle(), spec.serverName().get(), clock);
    } else if (spec.expectId().isPresent()) {
      tm = new AlertingTrustManager(new SpiffeTrustManager(() -> merged,
          SpiffeTrustManager.Authorizer.exactly(spec.expectId().get()), clock));
    } else {
      var td = spec.expectTrustDomain().orElseThrow();
      tm = new AlertingTrustManager(new SpiffeTrustManager(() -> merged, (SpiffeId peer) -> peer.memberOf(td) ? null
          : "trust domain mismatch: got " + peer.trustDomain() + " (" + peer + ") expected " + td, clock));
    }
    SslContextBuilder b = SslContextBuilder.forClient()
        .sslProvider(engine.provider())
        .protocols(TlsDefaults.PROTOCOLS)
        .ciphers(TlsDefaults.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
        .trustManager(tm);
    if (spec.tls() == OutboundTls.MUTUAL) {
      b.keyManager(svid.privateKey(), svid.chain().toArray(new X509Certificate[0]));
    }
    return withoutResumption(b.build());
  }

  /** Every context the proxy makes: never resumes a session (see {@link NoResumptionSslContext}). */
  static SslContext withoutResumption(SslContext context) {
    return NoResumptionSslContext.wrap(context);
  }

  /**
   * Called when a handshake completes: drops the session from the engine's cache so that it cannot
   * be resumed. The BoringSSL contexts keep no cache and send no tickets already; this covers the
   * JDK engine (fallback), whose session cache cannot be switched off.
   */
  static void forgetSession(SslHandler handler) {
    SSLSession session = handler.engine().getSession();
    if (session != null) {
      session.invalidate();
    }
  }

  /** With --ca-bundle and an expected SPIFFE ID, the bundle file stands for the server's trust domain. */
  private static X509BundleSet bundles(OutboundListener spec, X509BundleSet fromSource) {
    if (spec.caBundle().isEmpty()) {
      return fromSource;
    }
    var td = spec.expectId().map(SpiffeId::trustDomain).or(spec::expectTrustDomain).orElseThrow();
    List<io.trustmesh.core.bundle.X509Bundle> all = new java.util.ArrayList<>(fromSource.bundles());
    all.add(new io.trustmesh.core.bundle.X509Bundle(td, spec.caBundle()));
    return X509BundleSet.of(all);
  }
}
