package io.trustmesh.core.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The X.509-SVID spec, section 4 (and the leaf rules of 3.1 and 5.2), one case per rule, on
 * certificates made by the openssl CLI. Issue 9 item 8: a leaf without keyUsage used to pass.
 */
class SvidProfileRulesTest {
  private static final TrustDomain A = TrustDomain.parse("a.org");
  private static final String WEB = "URI:spiffe://a.org/ns/prod/sa/web";

  @TempDir static Path dir;
  private static OpensslHierarchy hierarchy;
  private static OpensslPki pki;
  private static X509Certificate root;
  private static X509Certificate intermediate;

  @BeforeAll
  static void createHierarchy() throws Exception {
    hierarchy = OpensslHierarchy.create(dir, "root-a", "int-a");
    pki = hierarchy.pki;
    root = hierarchy.root;
    intermediate = hierarchy.intermediate;
  }

  private static Verification verify(X509Certificate leaf, List<X509Certificate> intermediates, Usage usage) {
    return hierarchy.verifySvid(A, leaf, intermediates, usage);
  }

  private static String leaf(String from, String to) {
    return OpensslPki.leafExt(WEB, "CA:FALSE").replace(from, to);
  }

  static Stream<Arguments> leavesTheSpecRefuses() {
    return Stream.of(
        Arguments.of("4.3 key usage MUST be set", leaf("keyUsage = critical, digitalSignature\n", ""),
            Failure.NOT_AN_SVID, "has no key usage"),
        Arguments.of("4.3 key usage MUST be critical", leaf("keyUsage = critical, digitalSignature",
            "keyUsage = digitalSignature"), Failure.NOT_AN_SVID, "has a non-critical key usage"),
        Arguments.of("4.3 leaf MUST set digitalSignature", leaf("keyUsage = critical, digitalSignature",
            "keyUsage = critical, keyAgreement"), Failure.NOT_AN_SVID, "lacks digitalSignature"),
        Arguments.of("4.3 leaf MUST NOT set cRLSign", leaf("keyUsage = critical, digitalSignature",
            "keyUsage = critical, digitalSignature, cRLSign"), Failure.NOT_AN_SVID, "has keyCertSign or cRLSign"),
        Arguments.of("4.1 leaf MUST set cA false", leaf("CA:FALSE", "CA:TRUE"), Failure.NOT_AN_SVID,
            "is a CA certificate (CA:TRUE)"),
        Arguments.of("4.4 EKU, when present, MUST hold serverAuth and clientAuth",
            leaf("extendedKeyUsage = serverAuth, clientAuth", "extendedKeyUsage = serverAuth"),
            Failure.EXTENDED_KEY_USAGE, "X.509-SVID 4.4 requires both serverAuth and clientAuth"),
        Arguments.of("5.2 the SPIFFE ID MUST have a path", OpensslPki.leafExt("URI:spiffe://a.org", "CA:FALSE"),
            Failure.NOT_AN_SVID, "has no path"),
        Arguments.of("5.2 more than one URI SAN MUST be rejected",
            OpensslPki.leafExt(WEB + ", URI:spiffe://a.org/other", "CA:FALSE"), Failure.NOT_AN_SVID,
            "has 2 URI SANs"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leavesTheSpecRefuses")
  void refusesALeafAgainstTheSpec(String rule, String extensions, Failure failure, String reason) throws Exception {
    X509Certificate leaf = pki.issue("web", "int-a", extensions, 1);

    // as a server: the role check (serverAuth) must not be what refuses the 4.4 case
    Verification v = verify(leaf, List.of(intermediate), Usage.SERVER);

    assertThat(v.isValid()).as(rule).isFalse();
    assertThat(v.failure()).as(rule).contains(failure);
    assertThat(v.reason()).as(rule).contains(reason);
  }

  @Test
  void acceptsALeafWithKeyAgreementBesideDigitalSignature() throws Exception {
    // 4.3: a leaf MAY set keyEncipherment and/or keyAgreement.
    X509Certificate leaf = pki.issue("web", "int-a", leaf("keyUsage = critical, digitalSignature",
        "keyUsage = critical, digitalSignature, keyAgreement, keyEncipherment"), 1);

    Verification v = verify(leaf, List.of(intermediate), Usage.CLIENT);

    assertThat(v.isValid()).as(v.reason()).isTrue();
  }

  @Test
  void acceptsALeafWithoutExtendedKeyUsage() throws Exception {
    // 4.4: leaf SVIDs SHOULD (not MUST) carry the extension.
    X509Certificate leaf = pki.issue("web", "int-a", leaf("extendedKeyUsage = serverAuth, clientAuth\n", ""), 1);

    assertThat(verify(leaf, List.of(intermediate), Usage.CLIENT).isValid()).isTrue();
    assertThat(verify(leaf, List.of(intermediate), Usage.SERVER).isValid()).isTrue();
  }

  @Test
  void refusesASigningCertificateWithANonCriticalKeyUsage() throws Exception {
    X509Certificate lax = pki.issue("int-lax", "root-a", OpensslPki.caExt(", pathlen:0")
        .replace("keyUsage = critical, keyCertSign, cRLSign", "keyUsage = keyCertSign, cRLSign"), 180);
    X509Certificate leaf = pki.issue("web", "int-lax", OpensslPki.leafExt(WEB, "CA:FALSE"), 1);

    Verification v = verify(leaf, List.of(lax), Usage.SERVER);

    assertThat(v.failure()).contains(Failure.KEY_USAGE);
    assertThat(v.reason()).isEqualTo("intermediate CN=int-lax has a non-critical key usage; "
        + "X.509-SVID 4.3 requires it critical on signing certificates");
  }

  @Test
  void refusesASigningCertificateWithoutKeyUsage() throws Exception {
    X509Certificate bare = pki.issue("int-bare", "root-a", OpensslPki.caExt(", pathlen:0")
        .replace("keyUsage = critical, keyCertSign, cRLSign\n", ""), 180);
    X509Certificate leaf = pki.issue("web", "int-bare", OpensslPki.leafExt(WEB, "CA:FALSE"), 1);

    Verification v = verify(leaf, List.of(bare), Usage.SERVER);

    assertThat(v.failure()).contains(Failure.KEY_USAGE);
    assertThat(v.reason()).contains("intermediate CN=int-bare has no key usage");
  }
}
