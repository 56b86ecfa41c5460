package io.trustmesh.proxy;

import io.trustmesh.core.verify.Failure;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.verify.Verification;
import io.trustmesh.core.verify.VerifyOptions;
import io.trustmesh.core.verify.X509Verifier;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks a server outside SPIFFE: RFC 5280 path validation against fixed roots and the DNS name we
 * dialled, with trustmesh's verifier (never the JDK's default trust manager).
 */
final class DnsNameTrustManager extends X509ExtendedTrustManager {
  private final List<X509Certificate> anchors;
  private final String dnsName;
  private final Clock clock;

  DnsNameTrustManager(List<X509Certificate> anchors, String dnsName, Clock clock) {
    this.anchors = List.copyOf(anchors);
    this.dnsName = dnsName;
    this.clock = clock;
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new RefusedException("server presented no certificate", null);
    }
    List<X509Certificate> all = Arrays.asList(chain);
    Verification v = X509Verifier.verify(chain[0], VerifyOptions.x509(anchors)
        .intermediates(all.subList(1, all.size())).usage(Usage.SERVER).dnsName(dnsName).at(clock.instant()));
    if (!v.isValid()) {
      throw new RefusedException(v.reason(), v.failure().orElse(Failure.MALFORMED));
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("this trust manager checks servers only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return anchors.toArray(new X509Certificate[0]);
  }
}
