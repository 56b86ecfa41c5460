package io.trustmesh.proxy;

import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.SpiffeTrustManager.PeerRefusedException;
import io.trustmesh.core.verify.Failure;
import io.trustmesh.core.verify.Verification;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Makes a refusal by {@link SpiffeTrustManager} reach the peer as the TLS alert that says why
 * (issue 9 item 6): BoringSSL turns the X509_V_ERR code carried by an {@link
 * OpenSslCertificateException} into the alert ({@code SSL_alert_from_verify_result}); without one
 * every refusal was alert 80, internal error. The code is chosen from our verifier's outcome
 * ({@link Failure}), never from a library's error text; the {@link PeerRefusedException} stays the
 * cause, so the access log still reads the verifier's reason.
 *
 * <ul>
 *   <li>expired or not yet valid → certificate_expired (45)
 *   <li>unknown authority, no bundle for the peer's trust domain → unknown_ca (48)
 *   <li>revoked → certificate_revoked (44)
 *   <li>any other chain or X.509-SVID problem → bad_certificate (42)
 *   <li>a valid certificate whose SPIFFE ID the allow policy refuses → handshake_failure (40):
 *       RFC 8446 names access_denied (49) for this, but BoringSSL maps no verify result to 49 and
 *       offers no other way to send an alert from certificate verification
 * </ul>
 *
 * <p>With no certificate at all, BoringSSL itself sends certificate_required (116, TLS 1.3) or
 * handshake_failure (TLS 1.2) before this manager is called.
 */
final class AlertingTrustManager extends X509ExtendedTrustManager {
  private final SpiffeTrustManager delegate;

  AlertingTrustManager(SpiffeTrustManager delegate) {
    this.delegate = delegate;
  }

  /** The X509_V_ERR code whose alert matches this refusal. */
  static int errorCode(Verification v) {
    if (v == null) {
      return CertificateVerifier.X509_V_ERR_CERT_REJECTED;
    }
    if (v.isValid()) {
      return CertificateVerifier.X509_V_ERR_APPLICATION_VERIFICATION;
    }
    Failure f = v.failure().orElse(Failure.MALFORMED);
    return switch (f) {
      case EXPIRED -> CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
      case NOT_YET_VALID -> CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID;
      case UNKNOWN_AUTHORITY, NO_BUNDLE -> CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
      case REVOKED -> CertificateVerifier.X509_V_ERR_CERT_REVOKED;
      default -> CertificateVerifier.X509_V_ERR_CERT_REJECTED;
    };
  }

  private interface Check {
    void run() throws CertificateException;
  }

  private static void alerting(Check check) throws CertificateException {
    try {
      check.run();
    } catch (PeerRefusedException e) {
      throw new OpenSslCertificateException(e.getMessage(), e, errorCode(e.verification()));
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    alerting(() -> delegate.checkClientTrusted(chain, authType));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    alerting(() -> delegate.checkServerTrusted(chain, authType));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    alerting(() -> delegate.checkClientTrusted(chain, authType, socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    alerting(() -> delegate.checkServerTrusted(chain, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    alerting(() -> delegate.checkClientTrusted(chain, authType, engine));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    alerting(() -> delegate.checkServerTrusted(chain, authType, engine));
  }

  /**
   * Names no CA in the CertificateRequest (as go-spiffe's servers do). A client that picks its
   * certificate by the names it is offered (JSSE, netty with a key manager) sent none at all when
   * its trust domain was not among ours, and the refusal read "no certificate" instead of the
   * unknown authority it was (issue 10 item 4). Our verifier judges whatever the client sends.
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
