package io.trustmesh.core.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.x509.Extensions;
import io.trustmesh.core.x509.Serials;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.junit.jupiter.api.Test;

/** Each profile of docs/pki.md, asserted field by field on the certificates as issued. */
class CertificateProfilesTest {
  static final String BASIC_CONSTRAINTS = "2.5.29.19";
  static final String KEY_USAGE = "2.5.29.15";
  static final String NAME_CONSTRAINTS = "2.5.29.30";
  static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final TrustDomain TD = TrustDomain.parse("example.org");

  static CertificateAuthority rootCa() {
    IssuedCertificate root = Issuance.root(TD).clock(CLOCK).selfSigned();
    return CertificateAuthority.of(List.of(root.certificate()), root.keyPair().orElseThrow().getPrivate());
  }

  static CertificateAuthority intermediateCa(CertificateAuthority root, Issuance.IntermediateBuilder b) {
    IssuedCertificate i = b.clock(CLOCK).signedBy(root);
    return CertificateAuthority.of(i.chain(), i.keyPair().orElseThrow().getPrivate());
  }

  @Test
  void rootIsSelfSignedCaWithCriticalConstraintsAndTenYears() throws Exception {
    X509Certificate root = rootCa().certificate();

    assertThat(root.getSubjectX500Principal()).isEqualTo(root.getIssuerX500Principal());
    root.verify(root.getPublicKey());
    assertThat(root.getBasicConstraints()).as("CA:TRUE without path length").isEqualTo(Integer.MAX_VALUE);
    assertThat(root.getCriticalExtensionOIDs()).contains(BASIC_CONSTRAINTS, KEY_USAGE);
    assertThat(keyUsage(root)).containsExactlyInAnyOrder("keyCertSign", "cRLSign");
    assertThat(Extensions.subjectKeyId(root)).isPresent();
    assertThat(Extensions.uriSans(root)).containsExactly("spiffe://example.org");
    assertThat(root.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));
    assertThat(root.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    assertThat(root.getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(root.getSigAlgName()).isEqualTo("SHA256withECDSA");
  }

  @Test
  void intermediateIsNameConstrainedToItsTrustDomainWithPathLengthOne() throws Exception {
    CertificateAuthority root = rootCa();
    X509Certificate inter = intermediateCa(root, Issuance.intermediate("cluster-1", TD)).certificate();

    inter.verify(root.certificate().getPublicKey());
    assertThat(inter.getBasicConstraints()).as("path length").isEqualTo(1);
    assertThat(inter.getCriticalExtensionOIDs()).contains(BASIC_CONSTRAINTS, KEY_USAGE, NAME_CONSTRAINTS);
    assertThat(keyUsage(inter)).containsExactlyInAnyOrder("keyCertSign", "cRLSign");
    assertThat(Extensions.authorityKeyId(inter).orElseThrow())
        .isEqualTo(Extensions.subjectKeyId(root.certificate()).orElseThrow());
    assertThat(Extensions.subjectKeyId(inter)).isPresent();
    NameConstraints nc = Extensions.nameConstraints(inter).orElseThrow();
    assertThat(nc.getExcludedSubtrees()).isNull();
    assertThat(nc.getPermittedSubtrees()).hasSize(1);
    assertThat(nc.getPermittedSubtrees()[0].getBase().getTagNo()).isEqualTo(GeneralName.uniformResourceIdentifier);
    assertThat(nc.getPermittedSubtrees()[0].getBase().getName().toString()).isEqualTo("example.org");
    assertThat(inter.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
  }

  @Test
  void multiClusterIntermediatePermitsEachTrustDomainAndPathLenZeroIsHonoured() {
    CertificateAuthority root = rootCa();
    TrustDomain other = TrustDomain.parse("other.example");
    CertificateAuthority multi = intermediateCa(root,
        Issuance.intermediate("federation", List.of(TD, other)).pathLen(0));

    assertThat(multi.trustDomains()).containsExactly(TD, other);
    assertThat(multi.certificate().getBasicConstraints()).isZero();
    assertThat(multi.permits(SpiffeId.parse("spiffe://other.example/db"))).isTrue();
  }

  @Test
  void workloadSvidHasExactlyOneUriSanTheRightUsagesAndDefaultTtl() throws Exception {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("cluster-1", TD));
    SpiffeId id = SpiffeId.parse("spiffe://example.org/ns/prod/sa/web");
    IssuedCertificate svid = Issuance.workload(id).dnsNames("web.prod.svc").clock(CLOCK).signedBy(inter);
    X509Certificate leaf = svid.certificate();

    leaf.verify(inter.certificate().getPublicKey());
    assertThat(leaf.getBasicConstraints()).as("CA:FALSE").isEqualTo(-1);
    assertThat(leaf.getCriticalExtensionOIDs()).contains(BASIC_CONSTRAINTS, KEY_USAGE);
    assertThat(keyUsage(leaf)).containsExactly("digitalSignature");
    assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
    assertThat(Extensions.uriSans(leaf)).containsExactly(id.toString());
    assertThat(Extensions.dnsSans(leaf)).containsExactly("web.prod.svc");
    assertThat(Extensions.authorityKeyId(leaf).orElseThrow())
        .isEqualTo(Extensions.subjectKeyId(inter.certificate()).orElseThrow());
    assertThat(Extensions.subjectKeyId(leaf)).isPresent();
    assertThat(leaf.getNotBefore().toInstant()).as("backdated one minute").isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    assertThat(leaf.getNotAfter().toInstant()).as("24h default").isEqualTo(NOW.plus(Duration.ofHours(24)));
    assertThat(leaf.getSerialNumber().signum()).isPositive();
    assertThat(leaf.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
    assertThat(svid.chain()).as("leaf then intermediate, no root").containsExactly(leaf, inter.certificate());
    assertThat(svid.clamped()).isFalse();
  }

  @Test
  void rsaWorkloadAlsoGetsKeyEncipherment() throws Exception {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("cluster-1", TD));
    X509Certificate leaf = Issuance.workload(SpiffeId.parse("spiffe://example.org/legacy"))
        .keyType(KeyType.RSA_2048).clock(CLOCK).signedBy(inter).certificate();
    assertThat(keyUsage(leaf)).containsExactlyInAnyOrder("digitalSignature", "keyEncipherment");
    assertThat(KeyType.of(leaf.getPublicKey())).isEqualTo(KeyType.RSA_2048);
  }

  @Test
  void serialsAreRandom() {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("cluster-1", TD));
    Set<java.math.BigInteger> serials = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      serials.add(Issuance.workload(SpiffeId.parse("spiffe://example.org/a")).clock(CLOCK).signedBy(inter)
          .certificate().getSerialNumber());
    }
    assertThat(serials).hasSize(20);
  }

  @Test
  void serialsStartWithTheIssuanceTimeSoTheirTextSortsInIssuanceOrder() {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("cluster-1", TD));
    List<String> hex = new ArrayList<>();
    Set<BigInteger> randomParts = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      Clock later = Clock.fixed(NOW.plusMillis(i * 7L), ZoneOffset.UTC);
      BigInteger serial = Issuance.workload(SpiffeId.parse("spiffe://example.org/a")).clock(later).signedBy(inter)
          .certificate().getSerialNumber();
      assertThat(serial.bitLength()).isLessThanOrEqualTo(128);
      assertThat(serial.shiftRight(80).longValueExact()).isEqualTo(NOW.toEpochMilli() + i * 7L);
      randomParts.add(serial.and(BigInteger.ONE.shiftLeft(80).subtract(BigInteger.ONE)));
      hex.add(Serials.hex(serial));
    }
    assertThat(randomParts).as("80 random bits each").hasSize(20);
    assertThat(hex).isSorted().allSatisfy(h -> assertThat(h).hasSize(hex.get(0).length()));
  }

  @Test
  void aPreparedWorkloadSignsTheSerialAndExpiryItAnnounced() {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("cluster-1", TD));
    Issuance.Prepared prepared = Issuance.workload(SpiffeId.parse("spiffe://example.org/web"))
        .dnsNames("web.local").ttl(Duration.ofMinutes(30)).clock(CLOCK).prepare(inter);
    X509Certificate leaf = prepared.sign().certificate();
    assertThat(leaf.getSerialNumber()).isEqualTo(prepared.serialNumber());
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(prepared.notAfter()).isEqualTo(NOW.plus(Duration.ofMinutes(30)));
  }

  @Test
  void prepareAlreadyRefusesWhatSigningWould() {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("cluster-1", TD));
    assertThatThrownBy(() -> Issuance.workload(SpiffeId.parse("spiffe://other.org/web")).clock(CLOCK).prepare(inter))
        .isInstanceOf(IssuancePolicyException.class);
    assertThatThrownBy(() -> Issuance.workload(SpiffeId.parse("spiffe://example.org/web")).ttl(Duration.ofHours(25))
        .clock(CLOCK).prepare(inter)).isInstanceOf(IssuancePolicyException.class);
  }

  @Test
  void workloadTtlOutlivingTheIssuerIsClampedToItsExpiry() {
    CertificateAuthority inter = intermediateCa(rootCa(),
        Issuance.intermediate("short", TD).ttl(Duration.ofHours(2)));
    IssuedCertificate svid = Issuance.workload(SpiffeId.parse("spiffe://example.org/web"))
        .ttl(Duration.ofHours(5)).clock(CLOCK).signedBy(inter);

    assertThat(svid.clamped()).isTrue();
    assertThat(svid.certificate().getNotAfter()).isEqualTo(inter.certificate().getNotAfter());
    assertThat(svid.requestedNotAfter()).isEqualTo(NOW.plus(Duration.ofHours(5)));
  }

  @Test
  void intermediateNeverOutlivesTheRoot() {
    IssuedCertificate root = Issuance.root(TD).ttl(Duration.ofDays(30)).clock(CLOCK).selfSigned();
    CertificateAuthority rootCa = CertificateAuthority.of(List.of(root.certificate()),
        root.keyPair().orElseThrow().getPrivate());
    IssuedCertificate inter = Issuance.intermediate("c", TD).clock(CLOCK).signedBy(rootCa);
    assertThat(inter.clamped()).isTrue();
    assertThat(inter.certificate().getNotAfter()).isEqualTo(root.certificate().getNotAfter());
  }

  @Test
  void issuerRefusesSpiffeIdsOutsideItsTrustDomains() {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("cluster-1", TD));
    assertThatThrownBy(() -> Issuance.workload(SpiffeId.parse("spiffe://evil.example/web")).signedBy(inter))
        .isInstanceOf(IssuancePolicyException.class)
        .hasMessage("SPIFFE ID spiffe://evil.example/web is outside the trust domain this CA may sign for (example.org)");
  }

  @Test
  void workloadTtlAboveTheMaximumNeedsTheInsecureOption() {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("cluster-1", TD));
    SpiffeId id = SpiffeId.parse("spiffe://example.org/web");
    assertThatThrownBy(() -> Issuance.workload(id).ttl(Duration.ofDays(2)).signedBy(inter))
        .hasMessageContaining("exceeds the 24h maximum");
    assertThat(Issuance.workload(id).ttl(Duration.ofDays(2)).allowLongTtl().clock(CLOCK).signedBy(inter)
        .certificate().getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(2)));
  }

  @Test
  void expiredIssuerCannotSign() {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("c", TD).ttl(Duration.ofHours(1)));
    Clock later = Clock.fixed(NOW.plus(Duration.ofHours(2)), ZoneOffset.UTC);
    assertThatThrownBy(() -> Issuance.workload(SpiffeId.parse("spiffe://example.org/web")).clock(later).signedBy(inter))
        .hasMessageContaining("expired at");
  }

  @Test
  void pathLengthMustFitUnderTheIssuer() {
    CertificateAuthority inter = intermediateCa(rootCa(), Issuance.intermediate("c", TD).pathLen(0));
    assertThatThrownBy(() -> Issuance.intermediate("below", TD).pathLen(0).signedBy(inter))
        .hasMessageContaining("does not fit under issuer");
  }

  @Test
  void everyKeyTypeIssues() {
    for (KeyType type : KeyType.values()) {
      IssuedCertificate root = Issuance.root(TD).keyType(type).clock(CLOCK).selfSigned();
      assertThat(KeyType.of(root.certificate().getPublicKey())).isEqualTo(type);
    }
  }

  static List<String> keyUsage(X509Certificate c) {
    String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
        "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
    boolean[] ku = c.getKeyUsage();
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < ku.length && i < names.length; i++) {
      if (ku[i]) {
        out.add(names[i]);
      }
    }
    return out;
  }
}
