package io.trustmesh.proxy;

import io.netty.internal.tcnative.CertificateVerifier;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.tls.SpiffeTrustManager.Authorizer;
import io.trustmesh.core.verify.Failure;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.verify.Verification;
import io.trustmesh.core.verify.VerifyOptions;
import io.trustmesh.core.verify.X509Verifier;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * A SPIFFE peer: its chain is validated under the X.509-SVID rules against the bundle of its own
 * trust domain (through the {@link VerificationCache}), then its SPIFFE ID is put to the
 * authorizer (the inbound allow policy, or the outbound expected ID or trust domain).
 *
 * <p>The refusal's alert is chosen from the verifier's outcome (issue 9 item 6): expired or not yet
 * valid → certificate_expired (45); unknown authority or no bundle for the peer's trust domain →
 * unknown_ca (48); revoked → certificate_revoked (44); any other chain or X.509-SVID problem →
 * bad_certificate (42); a valid certificate whose SPIFFE ID is refused → handshake_failure (40).
 * RFC 8446 names access_denied (49) for the last, but BoringSSL maps no verify result to 49.
 */
final class SpiffePeerCheck implements PeerCheck {
  private final X509BundleSet bundles;
  private final Authorizer authorizer;
  private final Usage usage;
  private final boolean server;
  private final Clock clock;
  private final VerificationCache.Scope cached;

  /**
   * @param server true when the peer is a client (we are the TLS server, inbound)
   * @param bundleVersion changes whenever {@code bundles} does; part of the cache key
   */
  SpiffePeerCheck(X509BundleSet bundles, long bundleVersion, Authorizer authorizer, boolean server, Clock clock,
      VerificationCache cache) {
    this.bundles = bundles;
    this.authorizer = authorizer;
    this.usage = server ? Usage.CLIENT : Usage.SERVER;
    this.server = server;
    this.clock = clock;
    // a scope of its own: no other listener, role or snapshot sees what this one verified
    this.cached = cache.scope(bundleVersion);
  }

  @Override
  public PeerVerdict check(X509Certificate[] chain) {
    if (chain == null || chain.length == 0) {
      return PeerVerdict.refused(Reasons.failed(Cause.PEER_NO_CERTIFICATE,
          (server ? "the client" : "the server") + " presented no certificate"), CertificateVerifier.X509_V_ERR_CERT_REJECTED);
    }
    Verification v = cached.verify(chain, clock.instant(), this::verify);
    if (!v.isValid()) {
      return PeerVerdict.refused(new Reasons.Verdict(Connection.HANDSHAKE_FAILED,
          v.failure().map(Cause::of).orElse(Cause.PEER_CERT_INVALID), v.reason(), null), errorCode(v));
    }
    SpiffeId id = v.spiffeId().orElseThrow();
    String refusal = authorizer.refuse(id);
    if (refusal != null) {
      // inbound: the allow policy refused an authenticated client; outbound: not the server expected
      return PeerVerdict.refused(new Reasons.Verdict(Connection.DENIED,
          server ? Cause.PEER_NOT_ALLOWED : Cause.PEER_ID_MISMATCH, refusal, id.toString()),
          CertificateVerifier.X509_V_ERR_APPLICATION_VERIFICATION);
    }
    return PeerVerdict.admitted(v.path().get(0), id.toString());
  }

  private Verification verify(X509Certificate[] chain) {
    List<X509Certificate> all = Arrays.asList(chain);
    return X509Verifier.verify(chain[0], VerifyOptions.spiffe(bundles)
        .intermediates(all.subList(1, all.size())).usage(usage).at(clock.instant()));
  }

  /** The X509_V_ERR code whose alert matches an invalid chain. */
  static int errorCode(Verification v) {
    Failure f = v.failure().orElse(Failure.MALFORMED);
    return switch (f) {
      case EXPIRED -> CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
      case NOT_YET_VALID -> CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID;
      case UNKNOWN_AUTHORITY, NO_BUNDLE -> CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
      case REVOKED -> CertificateVerifier.X509_V_ERR_CERT_REVOKED;
      default -> CertificateVerifier.X509_V_ERR_CERT_REJECTED;
    };
  }
}
