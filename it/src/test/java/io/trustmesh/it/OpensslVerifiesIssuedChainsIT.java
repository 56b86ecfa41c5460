package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** openssl, a verifier nobody on this team wrote, accepts what trustmesh issues. */
class OpensslVerifiesIssuedChainsIT {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ec-p256", "ec-p384", "rsa-2048"})
  void opensslAcceptsTheChainForServerAndClientUse(String keyType) throws Exception {
    Proc.trustmeshOk(tmp, "ca", "init", "--trust-domain", "example.org", "--dir", "ca", "--key-type", keyType);
    Proc.trustmeshOk(tmp, "cert", "issue", "--ca", "ca", "--spiffe-id", "spiffe://example.org/ns/prod/sa/web",
        "--dns", "web.prod.svc", "--key-type", keyType, "--out", "web");

    for (String purpose : new String[] {"sslserver", "sslclient"}) {
      try (Proc verify = Proc.start(tmp, "openssl", "verify", "-x509_strict", "-purpose", purpose,
          "-CAfile", "web/svid_bundle.pem", "-untrusted", "web/svid.pem", "web/svid.pem")) {
        assertThat(verify.waitFor(30)).as(verify.output()).isZero();
        assertThat(verify.output().trim()).isEqualTo("web/svid.pem: OK");
      }
    }
  }

  @Test
  void opensslRefusesAChainFromAnotherRoot() throws Exception {
    Proc.trustmeshOk(tmp, "ca", "init", "--trust-domain", "example.org", "--dir", "ca");
    Proc.trustmeshOk(tmp, "ca", "init", "--trust-domain", "example.org", "--dir", "other");
    Proc.trustmeshOk(tmp, "cert", "issue", "--ca", "ca", "--spiffe-id", "spiffe://example.org/web", "--out", "web");

    try (Proc verify = Proc.start(tmp, "openssl", "verify", "-CAfile", "other/root.pem", "-untrusted",
        "web/svid.pem", "web/svid.pem")) {
      assertThat(verify.waitFor(30)).isNotZero();
      assertThat(verify.output()).contains("unable to get local issuer certificate");
    }
  }

  @Test
  void opensslSeesTheNameConstraintsAndUsages() throws Exception {
    Proc.trustmeshOk(tmp, "ca", "init", "--trust-domain", "example.org", "--dir", "ca");
    try (Proc text = Proc.start(tmp, "openssl", "x509", "-noout", "-text", "-in", "ca/intermediates/default/ca.pem")) {
      assertThat(text.waitFor(30)).isZero();
      assertThat(text.output()).contains("X509v3 Name Constraints: critical", "URI:example.org",
          "X509v3 Basic Constraints: critical", "CA:TRUE, pathlen:1", "Certificate Sign, CRL Sign");
    }
  }
}
