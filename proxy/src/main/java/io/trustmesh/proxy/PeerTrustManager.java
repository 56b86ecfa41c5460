package io.trustmesh.proxy;

import io.netty.handler.ssl.OpenSslCertificateException;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS library's view of a {@link PeerCheck}: runs it during the handshake, leaves the verdict
 * in the engine's {@link HandshakeOutcomes} slot for the authorize stage, and on refusal throws
 * the {@link OpenSslCertificateException} whose X.509 error code BoringSSL turns into the alert
 * that tells the peer why ({@code SSL_alert_from_verify_result}).
 *
 * <p>Names no CA in the CertificateRequest (as go-spiffe's servers do). A client that picks its
 * certificate by the names it is offered (JSSE, netty with a key manager) sent none at all when its
 * trust domain was not among ours, and the refusal read "no certificate" instead of the unknown
 * authority it was (issue 10 item 4). Our verifier judges whatever the client sends.
 */
final class PeerTrustManager extends X509ExtendedTrustManager {
  private final PeerCheck check;
  private final HandshakeOutcomes outcomes;

  PeerTrustManager(PeerCheck check, HandshakeOutcomes outcomes) {
    this.check = check;
    this.outcomes = outcomes;
  }

  private void check(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
    PeerVerdict v = check.check(chain);
    outcomes.record(engine, v);
    if (!v.isAdmitted()) {
      RefusedException refused = new RefusedException(v);
      throw v.verifyError() == 0 ? refused
          : new OpenSslCertificateException(refused.getMessage(), refused, v.verifyError());
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, null);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, null);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
