package io.trustmesh.core.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain X.509 (web PKI) profile on chains made by the openssl CLI. */
class WebPkiChainsTest {
  @TempDir static Path dir;
  private static OpensslHierarchy hierarchy;
  private static OpensslPki pki;
  private static X509Certificate root;
  private static X509Certificate intermediate;

  @BeforeAll
  static void createHierarchy() throws Exception {
    hierarchy = OpensslHierarchy.create(dir, "root", "int");
    pki = hierarchy.pki;
    root = hierarchy.root;
    intermediate = hierarchy.intermediate;
  }

  private static String server(String san) {
    return String.join("\n",
        "basicConstraints = critical, CA:FALSE",
        "keyUsage = critical, digitalSignature",
        "extendedKeyUsage = serverAuth",
        "subjectKeyIdentifier = hash",
        "authorityKeyIdentifier = keyid:always",
        "subjectAltName = " + san);
  }

  private VerifyOptions options(X509Certificate anchor) {
    return VerifyOptions.x509(List.of(anchor)).intermediates(List.of(intermediate)).usage(Usage.SERVER);
  }

  @Test
  void acceptsAServerForItsDnsNameAndRefusesAnother() throws Exception {
    X509Certificate leaf = pki.issue("web.example.com", "int", server("DNS:web.example.com"), 1);

    assertThat(X509Verifier.verify(leaf, options(root).dnsName("web.example.com")).isValid()).isTrue();
    Verification other = X509Verifier.verify(leaf, options(root).dnsName("db.example.com"));
    assertThat(other.failure()).contains(Failure.NAME_MISMATCH);
    assertThat(other.reason()).isEqualTo(
        "certificate CN=web.example.com is not valid for DNS name db.example.com (it names web.example.com)");
  }

  @Test
  void matchesAWildcardOverExactlyOneLabel() throws Exception {
    X509Certificate leaf = pki.issue("wild", "int", server("DNS:*.example.com"), 1);

    assertThat(X509Verifier.verify(leaf, options(root).dnsName("a.example.com")).isValid()).isTrue();
    assertThat(X509Verifier.verify(leaf, options(root).dnsName("a.b.example.com")).failure())
        .contains(Failure.NAME_MISMATCH);
    assertThat(X509Verifier.verify(leaf, options(root).dnsName("example.com")).failure())
        .contains(Failure.NAME_MISMATCH);
  }

  @Test
  void matchesAnIpAddressBySan() throws Exception {
    X509Certificate leaf = pki.issue("ip", "int", server("IP:127.0.0.1"), 1);

    assertThat(X509Verifier.verify(leaf, options(root).ipAddress(InetAddress.getByName("127.0.0.1"))).isValid())
        .isTrue();
    Verification v = X509Verifier.verify(leaf, options(root).ipAddress(InetAddress.getByName("::1")));
    assertThat(v.failure()).contains(Failure.NAME_MISMATCH);
    assertThat(v.reason()).isEqualTo("certificate CN=ip is not valid for IP address 0:0:0:0:0:0:0:1");
  }

  @Test
  void refusesAClientCertificateInTheServerRole() throws Exception {
    X509Certificate leaf = pki.issue("client", "int", server("DNS:client.example.com")
        .replace("extendedKeyUsage = serverAuth", "extendedKeyUsage = clientAuth"), 1);

    Verification v = X509Verifier.verify(leaf, options(root));

    assertThat(v.failure()).contains(Failure.EXTENDED_KEY_USAGE);
    assertThat(v.reason()).isEqualTo(
        "wrong extended key usage: certificate CN=client is not valid for serverAuth (it has clientAuth)");
  }

  @Test
  void appliesTheNameConstraintsOfTheTrustAnchor() throws Exception {
    X509Certificate ncRoot = pki.root("nc-root", 365, "nameConstraints = critical, permitted;DNS:example.com");
    X509Certificate ncInt = pki.issue("nc-int", "nc-root", OpensslPki.caExt(", pathlen:0"), 180);
    X509Certificate inside = pki.issue("in", "nc-int", server("DNS:web.example.com"), 1);
    X509Certificate outside = pki.issue("out", "nc-int", server("DNS:web.example.net"), 1);
    VerifyOptions fromConstrainedAnchor = VerifyOptions.x509(List.of(ncRoot)).intermediates(List.of(ncInt))
        .usage(Usage.SERVER);

    assertThat(X509Verifier.verify(inside, fromConstrainedAnchor).isValid()).isTrue();
    Verification v = X509Verifier.verify(outside, fromConstrainedAnchor);
    assertThat(v.failure()).contains(Failure.NAME_CONSTRAINTS_VIOLATED);
    assertThat(v.reason()).isEqualTo("name constraints violated: certificate CN=out: DNS name web.example.net "
        + "is not within the permitted names of trust anchor CN=nc-root");
  }

  @Test
  void refusesARevokedLeafAndAcceptsItsSibling() throws Exception {
    X509Certificate revoked = pki.issue("revoked", "int", server("DNS:revoked.example.com"), 1);
    X509Certificate fine = pki.issue("fine", "int", server("DNS:fine.example.com"), 1);
    VerifyOptions withCrl = options(root).crls(List.of(pki.crl("int", "revoked")));

    Verification v = X509Verifier.verify(revoked, withCrl);

    assertThat(v.failure()).contains(Failure.REVOKED);
    assertThat(v.reason()).startsWith("certificate CN=revoked (serial " + revoked.getSerialNumber().toString(16)
        + ") was revoked at");
    assertThat(X509Verifier.verify(fine, withCrl).isValid()).isTrue();
  }

  @Test
  void refusesAChainTheIntermediatesOfWhichExceedMaxDepth() throws Exception {
    X509Certificate leaf = pki.issue("depth", "int", server("DNS:depth.example.com"), 1);

    assertThat(X509Verifier.verify(leaf, options(root).maxDepth(1)).isValid()).isTrue();
    Verification v = X509Verifier.verify(leaf, options(root).maxDepth(0));
    assertThat(v.failure()).contains(Failure.CHAIN_TOO_LONG);
    assertThat(v.reason()).isEqualTo("chain is longer than 0 intermediates (at CN=int)");
  }
}
