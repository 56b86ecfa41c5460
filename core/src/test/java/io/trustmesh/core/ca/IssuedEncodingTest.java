package io.trustmesh.core.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.TrustDomain;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.Certificate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issuance assembles each certificate from the TBS bytes it signed, and reports serial and expiry
 * without parsing: what it reports must be what a parser reads back, and the encoding strict DER.
 */
class IssuedEncodingTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00.987654321Z"), ZoneOffset.UTC);
  static final TrustDomain TD = TrustDomain.parse("example.org");

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "RSA_2048", "RSA_4096"})
  void every_profile_is_strict_der_and_reports_what_it_signed(KeyType keyType) throws Exception {
    IssuedCertificate root = Issuance.root(TD).keyType(keyType).clock(CLOCK).selfSigned();
    CertificateAuthority rootCa = CertificateAuthority.of(List.of(root.certificate()), root.keyPair().orElseThrow().getPrivate());
    IssuedCertificate intermediate = Issuance.intermediate("cluster-1", TD).keyType(keyType).clock(CLOCK).signedBy(rootCa);
    CertificateAuthority ca = CertificateAuthority.of(intermediate.chain(), intermediate.keyPair().orElseThrow().getPrivate());
    IssuedCertificate svid = Issuance.workload(TD.newSpiffeId("ns", "prod", "sa", "web")).dnsNames("web.prod.svc")
        .keyType(keyType).ttl(Duration.ofMinutes(90)).clock(CLOCK).signedBy(ca);

    for (IssuedCertificate issued : List.of(root, intermediate, svid)) {
      byte[] der = issued.encoded();
      assertThat(Certificate.getInstance(der).getEncoded(ASN1Encoding.DER)).as("re-encoded as DER").isEqualTo(der);
      X509Certificate parsed = issued.certificate();
      assertThat(parsed.getEncoded()).isEqualTo(der);
      assertThat(issued.serialNumber()).isEqualTo(parsed.getSerialNumber());
      assertThat(issued.notAfter()).isEqualTo(parsed.getNotAfter().toInstant());
    }
    root.certificate().verify(root.certificate().getPublicKey());
    intermediate.certificate().verify(root.certificate().getPublicKey());
    svid.certificate().verify(intermediate.certificate().getPublicKey());
    assertThat(svid.notAfter()).isEqualTo(Instant.parse("2026-06-01T13:30:00Z"));
    assertThat(svid.encodedChain()).hasSize(2);
    assertThat(svid.encodedChain().get(1)).isEqualTo(intermediate.encoded());
    assertThat(svid.chain()).containsExactly(svid.certificate(), intermediate.certificate());
  }
}
