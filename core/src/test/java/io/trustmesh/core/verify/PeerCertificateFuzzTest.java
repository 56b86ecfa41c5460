package io.trustmesh.core.verify;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.x509.CertificateDescription;
import io.trustmesh.core.x509.Extensions;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * DER certificates as a peer sends them in a handshake, or a file hands them to {@code cert
 * inspect}: after the JDK's parser accepts the bytes, everything trustmesh does with the
 * certificate (SAN extraction, SVID shape, chain verification against a bundle, description) must
 * refuse cleanly — and nothing mutated may ever verify against a bundle it was not issued under.
 * Regression inputs: {@code src/test/resources/io/trustmesh/core/verify/PeerCertificateFuzzTestInputs/}.
 */
class PeerCertificateFuzzTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final X509BundleSet BUNDLE =
      X509BundleSet.of(new X509Bundle(TD, Issuance.root(TD).selfSigned().chain()));
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @FuzzTest(maxDuration = "5m")
  void der(byte[] data) {
    List<X509Certificate> chain;
    try {
      chain = parse(data);
    } catch (CertificateException | RuntimeException notACertificate) {
      // The JDK's parser is not ours to fix; what it refuses never reaches trustmesh code.
      return;
    }
    if (chain.isEmpty()) {
      return;
    }
    X509Certificate leaf = chain.get(0);
    Extensions.uriSans(leaf);
    Extensions.dnsSans(leaf);
    Extensions.subjectKeyId(leaf);
    Extensions.authorityKeyId(leaf);
    try {
      X509Svid.spiffeIdOf(leaf, "fuzz.der");
    } catch (BadInputException notAnSvid) {
      // refused with a reason
    }
    CertificateDescription.of(leaf, NOW);
    CertificateDescription.chainOrderProblem(chain);
    Verification v = X509Verifier.verify(leaf,
        VerifyOptions.spiffe(BUNDLE).intermediates(chain.subList(1, chain.size())).at(NOW));
    if (v.isValid()) {
      throw new AssertionError("a fuzzed certificate verified against a bundle that never issued it: " + v);
    }
  }

  private static List<X509Certificate> parse(byte[] data) throws CertificateException {
    return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(data)).stream()
        .map(c -> (X509Certificate) c).toList();
  }
}
