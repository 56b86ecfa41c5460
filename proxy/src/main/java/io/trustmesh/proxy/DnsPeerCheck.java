package io.trustmesh.proxy;

import io.trustmesh.core.diagnosis.Cause;
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
 * A server outside SPIFFE: RFC 5280 path validation against fixed roots and the DNS name we
 * dialled, with trustmesh's verifier (never the JDK's default trust manager).
 */
final class DnsPeerCheck implements PeerCheck {
  private final List<X509Certificate> anchors;
  private final String dnsName;
  private final Clock clock;

  DnsPeerCheck(List<X509Certificate> anchors, String dnsName, Clock clock) {
    this.anchors = List.copyOf(anchors);
    this.dnsName = dnsName;
    this.clock = clock;
  }

  @Override
  public PeerVerdict check(X509Certificate[] chain) {
    if (chain == null || chain.length == 0) {
      return PeerVerdict.refused(Reasons.failed(Cause.PEER_NO_CERTIFICATE, "the server presented no certificate"), 0);
    }
    List<X509Certificate> all = Arrays.asList(chain);
    Verification v = X509Verifier.verify(chain[0], VerifyOptions.x509(anchors)
        .intermediates(all.subList(1, all.size())).usage(Usage.SERVER).dnsName(dnsName).at(clock.instant()));
    if (!v.isValid()) {
      return PeerVerdict.refused(Reasons.failed(Cause.of(v.failure().orElse(Failure.MALFORMED)), v.reason()), 0);
    }
    return PeerVerdict.admitted(v.path().get(0), null);
  }
}
