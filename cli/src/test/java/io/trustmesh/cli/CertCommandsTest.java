package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.x509.Extensions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertCommandsTest {
  static final String WEB = "spiffe://example.org/ns/prod/sa/web";
  @TempDir Path tmp;
  Path ca;

  @BeforeEach
  void createCa() {
    ca = tmp.resolve("ca");
    Cli.Result r = Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--intermediate", "cluster-1");
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  @Test
  void issueWritesTheThreeSpiffeHelperFiles() throws Exception {
    Path out = tmp.resolve("web");
    Cli.Result r = Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", WEB, "--dns", "web.prod.svc", "--ttl", "1h",
        "--out", out);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Issued " + WEB);
    X509Svid svid = X509Svid.load(out);
    assertThat(svid.spiffeId().toString()).isEqualTo(WEB);
    assertThat(svid.chain()).as("leaf then intermediate, no root").hasSize(2);
    assertThat(Extensions.dnsSans(svid.leaf())).containsExactly("web.prod.svc");
    assertThat(Duration.between(svid.leaf().getNotBefore().toInstant(), svid.leaf().getNotAfter().toInstant()))
        .isEqualTo(Duration.ofMinutes(61));
    List<X509Certificate> bundle = Pem.readCertificates(out.resolve("svid_bundle.pem"));
    assertThat(bundle).containsExactly(Pem.readCertificates(ca.resolve("root.pem")).get(0));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("svid_key.pem"))))
        .isEqualTo("rw-------");
  }

  @Test
  void issueClampsToTheIssuerAndSaysSo() {
    Cli.run("ca", "intermediate", "--dir", ca, "--name", "short", "--ttl", "2h");
    Cli.Result r = Cli.run("cert", "issue", "--ca", ca, "--intermediate", "short", "--spiffe-id", WEB,
        "--ttl", "10h", "--out", tmp.resolve("web"), "--output", "json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).contains("warning: requested TTL 10h outlives the issuing CA; clamped to its expiry");
    assertThat(r.out()).contains("\"clamped\" : true");
  }

  @Test
  void issueRefusesAForeignTrustDomainAndWritesNothing() {
    Path out = tmp.resolve("evil");
    Cli.Result r = Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", "spiffe://evil.example/web", "--out", out);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly(
        "trustmesh: SPIFFE ID spiffe://evil.example/web is outside the trust domain this CA may sign for (example.org)");
    assertThat(out).doesNotExist();
  }

  @Test
  void severalIntermediatesNeedAChoice() {
    Cli.run("ca", "intermediate", "--dir", ca, "--name", "cluster-2");
    Cli.Result r = Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", WEB, "--out", tmp.resolve("w"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("has several intermediates; choose one with --intermediate (cluster-1, cluster-2)");
  }

  @Test
  void signCsrTakesTheIdentityFromTheFlagsNotTheCsr() throws Exception {
    KeyPair pair = KeyType.EC_P256.generate();
    Path csr = Files.write(tmp.resolve("req.csr"), Pem.encodeCsr(csr(pair, "CN=admin.evil.example")));
    Path out = tmp.resolve("signed.pem");

    Cli.Result r = Cli.run("cert", "sign-csr", "--ca", ca, "--csr", csr, "--spiffe-id", WEB, "--out", out);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<X509Certificate> chain = Pem.readCertificates(out);
    assertThat(chain).hasSize(2);
    assertThat(Extensions.uriSans(chain.get(0))).containsExactly(WEB);
    assertThat(chain.get(0).getSubjectX500Principal().getName()).doesNotContain("admin.evil.example");
    assertThat(chain.get(0).getPublicKey()).isEqualTo(pair.getPublic());
  }

  @Test
  void signCsrRefusesABrokenSignature() throws Exception {
    byte[] der = csr(KeyType.EC_P256.generate(), "CN=x").getEncoded();
    der[der.length - 1] ^= 0x01; // flip a bit of the signature value; the DER stays well-formed
    Path csr = Files.write(tmp.resolve("broken.csr"), Pem.encodeCsr(new PKCS10CertificationRequest(der)));
    Path out = tmp.resolve("signed.pem");

    Cli.Result r = Cli.run("cert", "sign-csr", "--ca", ca, "--csr", csr, "--spiffe-id", WEB, "--out", out);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly(
        "trustmesh: the signature of certificate request " + csr + " does not verify: refusing to sign it");
    assertThat(out).doesNotExist();
  }

  @Test
  void signCsrRefusesAKeyOnSecp256k1FromOpenssl() throws Exception {
    Path csr = tmp.resolve("k1.csr");
    Process p = new ProcessBuilder("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1",
        "-nodes", "-keyout", tmp.resolve("k1.key").toString(), "-subj", "/O=x", "-out", csr.toString())
        .redirectErrorStream(true).start();
    String opensslOut = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(opensslOut).isZero();
    Path out = tmp.resolve("signed.pem");

    Cli.Result r = Cli.run("cert", "sign-csr", "--ca", ca, "--csr", csr, "--spiffe-id", WEB, "--out", out);

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().contains("unsupported EC key").contains("P-256 or P-384");
    assertThat(out).doesNotExist();
  }

  @Test
  void renewKeepsTheIdentityWithANewKey() throws Exception {
    Path dir = tmp.resolve("web");
    Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", WEB, "--dns", "web.prod.svc", "--ttl", "2h",
        "--key-type", "ec-p384", "--out", dir);
    X509Svid before = X509Svid.load(dir);

    Cli.Result r = Cli.run("cert", "renew", "--ca", ca, "--in", dir);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    X509Svid after = X509Svid.load(dir);
    assertThat(after.spiffeId()).isEqualTo(before.spiffeId());
    assertThat(Extensions.dnsSans(after.leaf())).containsExactly("web.prod.svc");
    assertThat(after.leaf().getSerialNumber()).isNotEqualTo(before.leaf().getSerialNumber());
    assertThat(after.leaf().getPublicKey()).isNotEqualTo(before.leaf().getPublicKey());
    assertThat(KeyType.of(after.leaf().getPublicKey())).isEqualTo(KeyType.EC_P384);
    assertThat(Duration.between(after.leaf().getNotBefore().toInstant(), after.leaf().getNotAfter().toInstant()))
        .isEqualTo(Duration.ofHours(2).plusMinutes(1));
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("svid.pem", "svid_key.pem", "svid_bundle.pem");
    }
  }

  @Test
  void inspectShowsEveryFieldAndTheChainOrder() throws Exception {
    Path dir = tmp.resolve("web");
    Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", WEB, "--dns", "web.prod.svc", "--out", dir);

    Cli.Result text = Cli.run("cert", "inspect", dir.resolve("svid.pem"));
    assertThat(text.exitCode()).as(text.toString()).isZero();
    assertThat(text.out()).contains("2 certificates", "SPIFFE ID      " + WEB, "DNS SANs       web.prod.svc",
        "ext key usage  serverAuth, clientAuth", "basic          CA:FALSE", "CA:TRUE, path length 1",
        "permitted      URI:example.org", "chain order: ok", "SHA-256", "left)");

    Cli.Result json = Cli.run("cert", "inspect", dir.resolve("svid.pem"), ca.resolve("root.pem"), "--output", "json");
    JsonNode files = new ObjectMapper().readTree(json.out());
    assertThat(files).hasSize(2);
    JsonNode leaf = files.get(0).get("certificates").get(0);
    assertThat(leaf.get("spiffe_id").asText()).isEqualTo(WEB);
    assertThat(leaf.get("key").asText()).isEqualTo("ec-p256");
    assertThat(leaf.get("key_usage").toString()).isEqualTo("[\"digitalSignature\"]");
    assertThat(files.get(0).get("chain_order_ok").asBoolean()).isTrue();
    assertThat(files.get(1).get("certificates").get(0).get("self_signed").asBoolean()).isTrue();
  }

  @Test
  void inspectNamesAWrongChainOrder() throws Exception {
    Path dir = tmp.resolve("web");
    Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", WEB, "--out", dir);
    List<X509Certificate> chain = Pem.readCertificates(dir.resolve("svid.pem"));
    Path reversed = Files.write(tmp.resolve("reversed.pem"), Pem.encodeCertificates(List.of(chain.get(1), chain.get(0))));

    Cli.Result r = Cli.run("cert", "inspect", reversed);
    assertThat(r.out()).contains("chain order: WRONG: certificate 1");
  }

  @Test
  void verifyAcceptsAValidSvidAndShowsThePath() {
    Path dir = tmp.resolve("web");
    Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", WEB, "--out", dir);

    Cli.Result r = Cli.run("cert", "verify", "--bundle", dir.resolve("svid_bundle.pem"), "--spiffe-id", WEB,
        "--usage", "server", dir.resolve("svid.pem"));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("valid: " + WEB).contains("<- CN=trustmesh root CA,O=example.org");
  }

  @Test
  void verifyNamesThePreciseReason() throws Exception {
    Path dir = tmp.resolve("web");
    Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", WEB, "--ttl", "1h", "--out", dir);
    Path chain = dir.resolve("svid.pem");
    Path bundle = dir.resolve("svid_bundle.pem");
    Path otherCa = tmp.resolve("other");
    Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", otherCa);
    String notAfter = Pem.readCertificates(chain).get(0).getNotAfter().toInstant().toString();

    // Two days on, only the 1h leaf has expired (its intermediate lives a year).
    String later = java.time.Instant.now().plus(java.time.Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    Cli.Result expired = Cli.run("cert", "verify", "--bundle", bundle, "--at", later, chain);
    assertThat(expired.exitCode()).isEqualTo(1);
    assertThat(expired.out().trim()).isEqualTo("invalid: certificate OU=example.org,O=trustmesh expired at " + notAfter
        + " (checked at " + later + ")");

    Cli.Result unknown = Cli.run("cert", "verify", "--bundle", otherCa.resolve("root.pem"), chain);
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.out()).startsWith("invalid: certificate signed by unknown authority")
        .contains("CN=trustmesh root CA,O=example.org");

    Cli.Result mismatch = Cli.run("cert", "verify", "--bundle", bundle, "--spiffe-id",
        "spiffe://example.org/ns/prod/sa/db", chain);
    assertThat(mismatch.exitCode()).isEqualTo(1);
    assertThat(mismatch.out().trim()).isEqualTo(
        "invalid: SPIFFE ID mismatch: got " + WEB + " expected spiffe://example.org/ns/prod/sa/db");

    Cli.Result json = Cli.run("cert", "verify", "--bundle", bundle, "--dns", "db.example.org", "--output", "json", chain);
    assertThat(json.exitCode()).isEqualTo(1);
    JsonNode n = new ObjectMapper().readTree(json.out());
    assertThat(n.get("result").asText()).isEqualTo("invalid");
    assertThat(n.get("failure").asText()).isEqualTo("name_mismatch");
  }

  @Test
  void verifyRefusesAWrongExtendedKeyUsage() throws Exception {
    // A leaf with clientAuth only, signed by our intermediate, built with the library directly.
    var inter = io.trustmesh.core.ca.CaDirectory.open(ca).intermediate(Optional.empty());
    KeyPair pair = KeyType.EC_P256.generate();
    X509Certificate leaf = ClientOnlyLeaf.sign(inter,
        Pem.readPrivateKey(ca.resolve("intermediates/cluster-1/ca_key.pem"), Optional.empty()), pair, WEB);
    Path chain = Files.write(tmp.resolve("client-only.pem"), Pem.encodeCertificates(List.of(leaf, inter.certificate())));

    Cli.Result r = Cli.run("cert", "verify", "--bundle", ca.resolve("root.pem"), "--usage", "server", chain);

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("wrong extended key usage").contains("is not valid for serverAuth (it has clientAuth)");
    // X.509-SVID 4.4: an SVID's EKU, when present, holds both serverAuth and clientAuth
    Cli.Result asClient = Cli.run("cert", "verify", "--bundle", ca.resolve("root.pem"), "--usage", "client", chain);
    assertThat(asClient.exitCode()).isEqualTo(1);
    assertThat(asClient.out()).contains("requires both serverAuth and clientAuth");
  }

  static PKCS10CertificationRequest csr(KeyPair pair, String subject) throws Exception {
    return new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), pair.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
  }
}
