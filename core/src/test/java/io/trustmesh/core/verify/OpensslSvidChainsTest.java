package io.trustmesh.core.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** X.509-SVID rules on chains made by the openssl CLI from extension config files. */
class OpensslSvidChainsTest {
  private static final TrustDomain A = TrustDomain.parse("a.org");
  private static final TrustDomain B = TrustDomain.parse("b.org");

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

  @Test
  void acceptsAWellFormedSvid() throws Exception {
    X509Certificate leaf = pki.issue("web", "int-a", OpensslPki.leafExt("URI:spiffe://a.org/ns/prod/sa/web",
        "CA:FALSE"), 1);

    Verification v = verify(leaf, List.of(intermediate), Usage.SERVER);

    assertThat(v.isValid()).as(v.reason()).isTrue();
    assertThat(v.spiffeId()).contains(SpiffeId.parse("spiffe://a.org/ns/prod/sa/web"));
    assertThat(v.path()).containsExactly(leaf, intermediate, root);
  }

  @Test
  void refusesALeafWithTwoUriSans() throws Exception {
    X509Certificate leaf = pki.issue("two", "int-a",
        OpensslPki.leafExt("URI:spiffe://a.org/one, URI:spiffe://a.org/two", "CA:FALSE"), 1);

    Verification v = verify(leaf, List.of(intermediate), Usage.CLIENT);

    assertThat(v.failure()).contains(Failure.NOT_AN_SVID);
    assertThat(v.reason()).contains("has 2 URI SANs, expected exactly one SPIFFE ID")
        .contains("spiffe://a.org/one, spiffe://a.org/two");
  }

  @Test
  void refusesAUriSanThatIsNotASpiffeId() throws Exception {
    X509Certificate leaf = pki.issue("https", "int-a", OpensslPki.leafExt("URI:https://a.org/web", "CA:FALSE"), 1);

    Verification v = verify(leaf, List.of(intermediate), Usage.CLIENT);

    assertThat(v.failure()).contains(Failure.NOT_AN_SVID);
    assertThat(v.reason()).contains("URI SAN 'https://a.org/web' is not a SPIFFE ID");
  }

  @Test
  void refusesACaCertificateAsLeaf() throws Exception {
    X509Certificate leaf = pki.issue("ca-leaf", "int-a", String.join("\n",
        "basicConstraints = critical, CA:TRUE",
        "keyUsage = critical, digitalSignature",
        "subjectKeyIdentifier = hash",
        "authorityKeyIdentifier = keyid:always",
        "subjectAltName = URI:spiffe://a.org/ns/prod/sa/web"), 1);

    Verification v = verify(leaf, List.of(intermediate), Usage.SERVER);

    assertThat(v.failure()).contains(Failure.NOT_AN_SVID);
    assertThat(v.reason()).contains("is a CA certificate (CA:TRUE)");
  }

  @Test
  void refusesALeafWhoseTrustDomainTheIntermediateExcludes() throws Exception {
    X509Certificate constrained = pki.issue("int-nc", "root-a", String.join("\n",
        OpensslPki.caExt(", pathlen:0"), "nameConstraints = critical, excluded;URI:a.org"), 180);
    X509Certificate leaf = pki.issue("excluded", "int-nc", OpensslPki.leafExt("URI:spiffe://a.org/ns/prod/sa/web",
        "CA:FALSE"), 1);

    Verification v = verify(leaf, List.of(constrained), Usage.SERVER);

    assertThat(v.failure()).contains(Failure.NAME_CONSTRAINTS_VIOLATED);
    assertThat(v.reason()).contains("URI spiffe://a.org/ns/prod/sa/web is excluded by the name constraints of "
        + "intermediate CN=int-nc");
  }

  @Test
  void refusesAnExpiredIntermediateUnderAValidRoot() throws Exception {
    X509Certificate shortLived = pki.issue("int-short", "root-a", OpensslPki.caExt(", pathlen:0"), 1);
    X509Certificate leaf = pki.issue("web2", "int-short", OpensslPki.leafExt("URI:spiffe://a.org/web", "CA:FALSE"),
        30);
    Instant in5Days = Instant.now().plus(Duration.ofDays(5));

    Verification v = X509Verifier.verify(leaf, VerifyOptions.spiffe(X509BundleSet.of(new X509Bundle(A,
        List.of(root)))).intermediates(List.of(shortLived)).at(in5Days));

    assertThat(v.failure()).contains(Failure.EXPIRED);
    assertThat(v.reason()).startsWith("intermediate CN=int-short expired at");
  }

  @Test
  void refusesALeafOfTrustDomainBCheckedAgainstOnlyABundle() throws Exception {
    X509Certificate leaf = pki.issue("b-web", "int-a", OpensslPki.leafExt("URI:spiffe://b.org/web", "CA:FALSE"), 1);

    Verification v = verify(leaf, List.of(intermediate), Usage.SERVER);

    assertThat(v.failure()).contains(Failure.NO_BUNDLE);
    assertThat(v.reason()).isEqualTo("no trust bundle for trust domain b.org (peer spiffe://b.org/web)");
  }

  @Test
  void refusesAChainOneLinkTooLongForThePathLength() throws Exception {
    X509Certificate below = pki.issue("int-below", "int-a", OpensslPki.caExt(""), 90);
    X509Certificate leaf = pki.issue("deep", "int-below", OpensslPki.leafExt("URI:spiffe://a.org/deep", "CA:FALSE"),
        1);

    Verification v = verify(leaf, List.of(below, intermediate), Usage.SERVER);

    assertThat(v.failure()).contains(Failure.PATH_LENGTH_EXCEEDED);
    assertThat(v.reason()).isEqualTo("intermediate CN=int-a allows 0 intermediates below it, the chain has 1");
  }

  @Test
  void authorizesOnlyAfterTheChainIsValid() throws Exception {
    X509Certificate leaf = pki.issue("web3", "int-a", OpensslPki.leafExt("URI:spiffe://a.org/web", "CA:FALSE"), 1);
    VerifyOptions wrongId = VerifyOptions.spiffe(X509BundleSet.of(new X509Bundle(A, List.of(root))))
        .expectSpiffeId(SpiffeId.parse("spiffe://a.org/db"));

    Verification missingIntermediate = X509Verifier.verify(leaf, wrongId);
    Verification withIntermediate = X509Verifier.verify(leaf, wrongId.intermediates(List.of(intermediate)));

    assertThat(missingIntermediate.failure()).contains(Failure.UNKNOWN_AUTHORITY);
    assertThat(withIntermediate.failure()).contains(Failure.SPIFFE_ID_MISMATCH);
    assertThat(withIntermediate.reason()).isEqualTo("SPIFFE ID mismatch: got spiffe://a.org/web expected spiffe://a.org/db");
  }

  @Test
  void usesTheBundleOfTheLeafsOwnTrustDomainInAFederatedSet() throws Exception {
    X509Certificate rootB = pki.root("root-b", 365);
    X509Certificate leafB = pki.issue("b-svc", "root-b", OpensslPki.leafExt("URI:spiffe://b.org/svc", "CA:FALSE"), 1);
    X509BundleSet federated = X509BundleSet.of(new X509Bundle(A, List.of(root)), new X509Bundle(B, List.of(rootB)));
    X509BundleSet swapped = X509BundleSet.of(new X509Bundle(A, List.of(rootB)), new X509Bundle(B, List.of(root)));

    assertThat(X509Verifier.verify(leafB, VerifyOptions.spiffe(federated)).isValid()).isTrue();
    Verification v = X509Verifier.verify(leafB, VerifyOptions.spiffe(swapped));
    assertThat(v.failure()).contains(Failure.UNKNOWN_AUTHORITY);
    assertThat(v.reason()).contains("certificate signed by unknown authority CN=root-b");
  }

  @Test
  void refusesASigningCertificateWithoutKeyCertSign() throws Exception {
    X509Certificate noCertSign = pki.issue("int-nosign", "root-a", OpensslPki.caExt(", pathlen:0")
        .replace("keyUsage = critical, keyCertSign, cRLSign", "keyUsage = critical, digitalSignature"), 180);
    X509Certificate leaf = pki.issue("web4", "int-nosign", OpensslPki.leafExt("URI:spiffe://a.org/web", "CA:FALSE"),
        1);

    Verification v = verify(leaf, List.of(noCertSign), Usage.SERVER);

    assertThat(v.failure()).contains(Failure.KEY_USAGE);
    assertThat(v.reason()).isEqualTo("intermediate CN=int-nosign lacks keyCertSign");
  }

  @Test
  void refusesALeafThatMaySignCertificates() throws Exception {
    X509Certificate leaf = pki.issue("signer", "int-a", OpensslPki.leafExt("URI:spiffe://a.org/web", "CA:FALSE")
        .replace("keyUsage = critical, digitalSignature", "keyUsage = critical, digitalSignature, keyCertSign"), 1);

    Verification v = verify(leaf, List.of(intermediate), Usage.SERVER);

    assertThat(v.failure()).contains(Failure.NOT_AN_SVID);
    assertThat(v.reason()).isEqualTo("not an X.509-SVID: the leaf CN=signer has keyCertSign or cRLSign");
  }

  @Test
  void refusesAServerSvidWithoutServerAuth() throws Exception {
    X509Certificate leaf = pki.issue("client-only", "int-a", OpensslPki.leafExt("URI:spiffe://a.org/web", "CA:FALSE")
        .replace("extendedKeyUsage = serverAuth, clientAuth", "extendedKeyUsage = clientAuth"), 1);

    Verification v = verify(leaf, List.of(intermediate), Usage.SERVER);
    assertThat(v.failure()).contains(Failure.EXTENDED_KEY_USAGE);
    assertThat(v.reason()).isEqualTo(
        "wrong extended key usage: certificate CN=client-only is not valid for serverAuth (it has clientAuth)");
    // and, X.509-SVID 4.4, not as a client either: an SVID's EKU holds both or is absent
    Verification asClient = verify(leaf, List.of(intermediate), Usage.CLIENT);
    assertThat(asClient.failure()).contains(Failure.EXTENDED_KEY_USAGE);
    assertThat(asClient.reason()).contains("X.509-SVID 4.4 requires both serverAuth and clientAuth");
  }
}
