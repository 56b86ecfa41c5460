package io.trustmesh.proxy;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager.Authorizer;
import io.trustmesh.core.tls.TlsDefaults;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * Builds the Netty TLS contexts of one identity snapshot: TLS 1.3 preferred, 1.2 with ECDHE and
 * AEAD only, trust decided by trustmesh's verifier ({@link PeerCheck}, run by a {@link
 * PeerTrustManager}). A context is immutable; a reload builds new ones beside the old.
 */
final class TlsContexts {
  /**
   * A listener's TLS context and the check its peers pass, the same for full and resumed handshakes.
   *
   * @param resumes whether sessions of this context may be resumed (else each is forgotten once done)
   */
  record ListenerTls(SslContext context, PeerCheck check, boolean resumes) {}

  /** What every context of one snapshot shares. */
  record Shared(TlsEngine engine, HandshakeOutcomes outcomes, VerificationCache cache, long bundleVersion,
      Clock clock, Resumption resumption) {
    Shared(TlsEngine engine, HandshakeOutcomes outcomes, VerificationCache cache, long bundleVersion, Clock clock) {
      this(engine, outcomes, cache, bundleVersion, clock, Resumption.OFF);
    }
  }

  /**
   * Key-exchange groups, X25519 first: the cheapest ECDHE per handshake (issue 14 item 1) and what
   * every TLS 1.3 client offers a key share for, so no HelloRetryRequest; P-256 and P-384 for the rest.
   */
  static final String[] GROUPS = {"X25519", "P-256", "P-384"};

  /** The type of the transient KeyStore Netty builds around our key and chain (see {@link #common}). */
  static final String IN_MEMORY_KEY_STORE = "JKS";

  private TlsContexts() {}

  private static SslContextBuilder common(SslContextBuilder b, TlsEngine engine) {
    b.sslProvider(engine.provider())
        .protocols(TlsDefaults.PROTOCOLS)
        .ciphers(TlsDefaults.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
        // Netty hands our key to BoringSSL through an in-memory KeyStore it builds and reads back at
        // once. The JDK's default type, PKCS12, encrypts and decrypts the key with 10,000 rounds of
        // PBKDF2 each way: ~0.3 s of CPU at every start and reload, before the JIT has compiled
        // anything. JKS protects it with a few SHA-1 rounds; the store never leaves this process.
        .keyStoreType(IN_MEMORY_KEY_STORE);
    if (engine.provider() == SslProvider.OPENSSL) {
      b.option(OpenSslContextOption.GROUPS, GROUPS);
      // our verifier runs inside BoringSSL's certificate callback, on the event loop, as part of the
      // handshake step that received the chain; as a "task" (Netty's default) the same call costs a
      // task object, a NEED_TASK return and one more pass through the SslHandler's handshake loop
      b.option(OpenSslContextOption.USE_TASKS, false);
    }
    return b;
  }

  /** The mTLS server context of an inbound listener: a client certificate is required. */
  static ListenerTls server(Shared s, X509Svid svid, X509BundleSet bundles, Authorizer allow) throws SSLException {
    PeerCheck check = new SpiffePeerCheck(bundles, s.bundleVersion(), allow, true, s.clock(), s.cache());
    SslContext context = common(SslContextBuilder.forServer(svid.privateKey(),
        svid.chain().toArray(new X509Certificate[0])), s.engine())
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(new PeerTrustManager(check, s.outcomes()))
        .build();
    return new ListenerTls(SessionResumption.apply(context, s.resumption()), check,
        SessionResumption.resumes(s.engine(), s.resumption()));
  }

  /** The client context of an outbound upstream. */
  static ListenerTls client(Shared s, OutboundListener spec, X509Svid svid, X509BundleSet bundles)
      throws SSLException {
    PeerCheck check;
    if (spec.serverName().isPresent()) {
      check = new DnsPeerCheck(spec.caBundle(), spec.serverName().get(), s.clock());
    } else {
      X509BundleSet merged = bundles(spec, bundles);
      Authorizer authorizer;
      if (spec.expectId().isPresent()) {
        authorizer = Authorizer.exactly(spec.expectId().get());
      } else {
        TrustDomain td = spec.expectTrustDomain().orElseThrow();
        authorizer = peer -> peer.memberOf(td) ? null
            : "trust domain mismatch: got " + peer.trustDomain() + " (" + peer + ") expected " + td;
      }
      // a --ca-bundle changes nothing after start, so the snapshot's version still keys the cache
      check = new SpiffePeerCheck(merged, s.bundleVersion(), authorizer, false, s.clock(), s.cache());
    }
    SslContextBuilder b = common(SslContextBuilder.forClient(), s.engine())
        .trustManager(new PeerTrustManager(check, s.outcomes()));
    if (spec.tls() == OutboundTls.MUTUAL) {
      b.keyManager(svid.privateKey(), svid.chain().toArray(new X509Certificate[0]));
    }
    return new ListenerTls(SessionResumption.apply(b.build(), s.resumption()), check,
        SessionResumption.resumes(s.engine(), s.resumption()));
  }

  /** A context that never resumes a session (see {@link NoResumptionSslContext}): the default. */
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
    TrustDomain td = spec.expectId().map(SpiffeId::trustDomain).or(spec::expectTrustDomain).orElseThrow();
    List<X509Bundle> all = new ArrayList<>(fromSource.bundles());
    all.add(new X509Bundle(td, spec.caBundle()));
    return X509BundleSet.of(all);
  }
}
