package io.trustmesh.core.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.tls.SpiffeTrustManager;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** X.509-SVID rules on hierarchies made by trustmesh's own CA ({@link Issuance}). */
class IssuanceSvidChainsTest {
  private static final TrustDomain A = TrustDomain.parse("a.org");
  private static final TrustDomain B = TrustDomain.parse("b.org");
  private static final SpiffeId WEB = SpiffeId.parse("spiffe://a.org/ns/prod/sa/web");

  @BeforeAll
  static void providers() {
    CryptoProviders.install();
  }

  private static CertificateAuthority ca(IssuedCertificate c) {
    return CertificateAuthority.of(c.chain(), c.keyPair().orElseThrow().getPrivate());
  }

  private record Hierarchy(X509Certificate root, IssuedCertificate intermediate, CertificateAuthority ca) {}

  private static Hierarchy hierarchy(TrustDomain td, Clock clock, Duration intermediateTtl) {
    IssuedCertificate root = Issuance.root(td).clock(clock).selfSigned();
    IssuedCertificate intermediate = Issuance.intermediate("cluster-1", td).clock(clock).ttl(intermediateTtl)
        .signedBy(ca(root));
    return new Hierarchy(root.certificate(), intermediate, ca(intermediate));
  }

  private static X509BundleSet bundles(TrustDomain td, X509Certificate root) {
    return X509BundleSet.of(new X509Bundle(td, List.of(root)));
  }

  @Test
  void acceptsAnSvidAndReportsItsIdAndPath() {
    Hierarchy h = hierarchy(A, Clock.systemUTC(), Duration.ofDays(30));
    IssuedCertificate svid = Issuance.workload(WEB).signedBy(h.ca());

    Verification v = X509Verifier.verify(svid.certificate(), VerifyOptions.spiffe(bundles(A, h.root()))
        .intermediates(svid.chain().subList(1, svid.chain().size())).usage(Usage.CLIENT)
        .expectTrustDomain(A));

    assertThat(v.isValid()).as(v.reason()).isTrue();
    assertThat(v.spiffeId()).contains(WEB);
    assertThat(v.path()).containsExactly(svid.certificate(), h.intermediate().certificate(), h.root());
  }

  @Test
  void refusesAnSvidWhoseIntermediateHasExpired() {
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Hierarchy h = hierarchy(A, Clock.fixed(start, ZoneOffset.UTC), Duration.ofDays(2));
    IssuedCertificate svid = Issuance.workload(WEB).clock(Clock.fixed(start.plus(Duration.ofDays(1)), ZoneOffset.UTC))
        .signedBy(h.ca());
    Instant afterIntermediate = h.intermediate().certificate().getNotAfter().toInstant().plusSeconds(1);

    Verification v = X509Verifier.verify(svid.certificate(), VerifyOptions.spiffe(bundles(A, h.root()))
        .intermediates(List.of(h.intermediate().certificate())).at(afterIntermediate));

    assertThat(v.failure()).contains(Failure.EXPIRED);
    assertThat(v.reason()).startsWith("intermediate CN=trustmesh intermediate CA cluster-1")
        .contains("expired at " + h.intermediate().certificate().getNotAfter().toInstant());
  }

  @Test
  void refusesALeafOfTrustDomainBAgainstOnlyTheBundleOfA() {
    Hierarchy a = hierarchy(A, Clock.systemUTC(), Duration.ofDays(30));
    Hierarchy b = hierarchy(B, Clock.systemUTC(), Duration.ofDays(30));
    IssuedCertificate svidB = Issuance.workload(SpiffeId.parse("spiffe://b.org/db")).signedBy(b.ca());

    Verification v = X509Verifier.verify(svidB.certificate(), VerifyOptions.spiffe(bundles(A, a.root()))
        .intermediates(List.of(b.intermediate().certificate())));

    assertThat(v.failure()).contains(Failure.NO_BUNDLE);
    assertThat(v.reason()).isEqualTo("no trust bundle for trust domain b.org (peer spiffe://b.org/db)");
  }

  @Test
  void refusesALeafOfTrustDomainBWhenBsBundleHoldsAsRoot() {
    Hierarchy a = hierarchy(A, Clock.systemUTC(), Duration.ofDays(30));
    Hierarchy b = hierarchy(B, Clock.systemUTC(), Duration.ofDays(30));
    IssuedCertificate svidB = Issuance.workload(SpiffeId.parse("spiffe://b.org/db")).signedBy(b.ca());
    X509BundleSet confused = X509BundleSet.of(new X509Bundle(A, List.of(b.root())),
        new X509Bundle(B, List.of(a.root())));

    Verification v = X509Verifier.verify(svidB.certificate(), VerifyOptions.spiffe(confused)
        .intermediates(List.of(b.intermediate().certificate())));

    assertThat(v.failure()).contains(Failure.UNKNOWN_AUTHORITY);
  }

  @Test
  void trustManagerRefusesWithTheVerifiersReason() {
    Hierarchy a = hierarchy(A, Clock.systemUTC(), Duration.ofDays(30));
    IssuedCertificate svid = Issuance.workload(WEB).signedBy(a.ca());
    X509Certificate[] chain = svid.chain().toArray(new X509Certificate[0]);
    SpiffeTrustManager allowDb = new SpiffeTrustManager(() -> bundles(A, a.root()),
        SpiffeTrustManager.Authorizer.exactly(SpiffeId.parse("spiffe://a.org/db")), Clock.systemUTC());
    SpiffeTrustManager otherBundle = new SpiffeTrustManager(() -> bundles(B, a.root()),
        SpiffeTrustManager.Authorizer.allowAny(), Clock.systemUTC());

    assertThatThrownBy(() -> allowDb.checkClientTrusted(chain, "ECDHE_ECDSA"))
        .isInstanceOf(SpiffeTrustManager.PeerRefusedException.class)
        .hasMessage("SPIFFE ID mismatch: got spiffe://a.org/ns/prod/sa/web expected spiffe://a.org/db");
    assertThatThrownBy(() -> otherBundle.checkServerTrusted(chain, "ECDHE_ECDSA"))
        .isInstanceOf(SpiffeTrustManager.PeerRefusedException.class)
        .hasMessageContaining("no trust bundle for trust domain a.org");
  }
}
