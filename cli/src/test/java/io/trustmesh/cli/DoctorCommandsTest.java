package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trustmesh doctor connect} and {@code doctor files} as a user runs them: exit codes, lines, JSON. */
class DoctorCommandsTest {
  @TempDir static Path tmp;
  static Path svidDir;
  static Path otherKey;

  @BeforeAll
  static void pki() throws Exception {
    TrustDomain td = TrustDomain.parse("example.org");
    IssuedCertificate root = Issuance.root(td).selfSigned();
    CertificateAuthority rootCa = CertificateAuthority.of(List.of(root.certificate()), root.keyPair().orElseThrow().getPrivate());
    IssuedCertificate inter = Issuance.intermediate("c1", td).signedBy(rootCa);
    CertificateAuthority ca = CertificateAuthority.of(inter.chain(), inter.keyPair().orElseThrow().getPrivate());
    IssuedCertificate web = Issuance.workload(SpiffeId.parse("spiffe://example.org/ns/prod/sa/web")).signedBy(ca);
    svidDir = tmp.resolve("web");
    X509Svid.of(web.chain(), web.keyPair().orElseThrow().getPrivate(), "web").write(svidDir, List.of(root.certificate()));
    IssuedCertificate other = Issuance.workload(SpiffeId.parse("spiffe://example.org/ns/prod/sa/other")).signedBy(ca);
    otherKey = tmp.resolve("other_key.pem");
    Files.write(otherKey, Pem.encodePrivateKey(other.keyPair().orElseThrow().getPrivate(), Optional.empty()));
  }

  @Test
  void filesHealthyExitsZero() {
    Cli.Result r = Cli.run("doctor", "files", "--cert", svidDir.resolve("svid.pem"), "--key", svidDir.resolve("svid_key.pem"),
        "--bundle", svidDir.resolve("svid_bundle.pem"), "--expect-id", "spiffe://example.org/ns/prod/sa/web");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("healthy", "as a server certificate, a peer holding the bundle accepts it",
        "as a client certificate, a peer holding the bundle accepts it");
  }

  @Test
  void filesWithAnotherKeyNamesTheMismatch() {
    Cli.Result r = Cli.run("doctor", "files", "--cert", svidDir.resolve("svid.pem"), "--key", otherKey, "--output", "json");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("\"reason\" : \"key_mismatch\"", "does not belong to the certificate");
  }

  @Test
  void filesWithTheWrongExpectedIdShowsBothValues() {
    Cli.Result r = Cli.run("doctor", "files", "--cert", svidDir.resolve("svid.pem"), "--bundle", svidDir.resolve("svid_bundle.pem"),
        "--expect-id", "spiffe://example.org/ns/prod/sa/api");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("[peer_id_mismatch]", "got spiffe://example.org/ns/prod/sa/web expected spiffe://example.org/ns/prod/sa/api");
  }

  @Test
  void connectToNothingListeningPrintsCauseFixAndExitsOne() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Cli.Result r = Cli.run("doctor", "connect", "127.0.0.1:" + port, "--svid-dir", svidDir, "--output", "json");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("steps").get(0).get("name").asText()).isEqualTo("tcp");
    assertThat(json.get("steps").get(0).get("ok").asBoolean()).isFalse();
    assertThat(json.get("peer").get("chain").size()).isZero();
    assertThat(json.get("verdict").get("healthy").asBoolean()).isFalse();
    assertThat(json.get("verdict").get("causes").get(0).get("reason").asText()).isEqualTo("connection_refused");
    assertThat(json.get("fixes").get(0).asText()).startsWith("Start the service");
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    Cli.Result noKey = Cli.run("doctor", "connect", "127.0.0.1:1", "--cert", svidDir.resolve("svid.pem"));
    assertThat(noKey.exitCode()).isEqualTo(2);
    assertThat(noKey.errLines()).singleElement().asString().contains("--key");

    Cli.Result badTarget = Cli.run("doctor", "connect", "localhost");
    assertThat(badTarget.exitCode()).isEqualTo(2);
    assertThat(badTarget.errLines()).singleElement().asString().contains("HOST:PORT", "'localhost'");

    Cli.Result badVersion = Cli.run("doctor", "connect", "127.0.0.1:1", "--tls-version", "1.1");
    assertThat(badVersion.exitCode()).isEqualTo(2);
    assertThat(badVersion.errLines()).singleElement().asString().contains("unknown TLS version '1.1'");

    Cli.Result both = Cli.run("doctor", "connect", "127.0.0.1:1", "--svid-dir", svidDir, "--cert", "a", "--key", "b");
    assertThat(both.exitCode()).isEqualTo(2);

    Cli.Result idWithoutAgent = Cli.run("doctor", "connect", "127.0.0.1:1", "--svid-dir", svidDir,
        "--spiffe-id", "spiffe://example.org/web");
    assertThat(idWithoutAgent.exitCode()).isEqualTo(2);
    assertThat(idWithoutAgent.errLines()).singleElement().asString().contains("--spiffe-id", "give --workload-api too");

    Cli.Result noAgent = Cli.run("doctor", "connect", "127.0.0.1:1", "--workload-api", "unix://" + tmp.resolve("no.sock"),
        "--workload-api-timeout", "1s");
    assertThat(noAgent.exitCode()).isEqualTo(2);
    assertThat(noAgent.errLines()).singleElement().asString().contains("--workload-api", "no.sock");

    Cli.Result missingFile = Cli.run("doctor", "files", "--cert", tmp.resolve("nope.pem"));
    assertThat(missingFile.exitCode()).isEqualTo(2);
    assertThat(missingFile.errLines()).singleElement().asString().contains("nope.pem");
  }

  @Test
  void helpTeachesWithExamples() {
    assertThat(Cli.run("doctor", "connect", "--help").out()).contains("Examples:", "trustmesh doctor connect api.prod.svc:8443",
        "--workload-api unix:///run/trustmesh/agent.sock", "--spiffe-id");
    assertThat(Cli.run("doctor", "files", "--help").out()).contains("Example:", "trustmesh doctor files --cert");
    assertThat(Cli.run("--help").out()).contains("doctor", "expiry");
  }
}
