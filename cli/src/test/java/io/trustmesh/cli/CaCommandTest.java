package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.x509.Extensions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaCommandTest {
  @TempDir Path tmp;

  @Test
  void initWritesTheLayoutWithKeysAt0600() throws Exception {
    Path ca = tmp.resolve("ca");
    Cli.Result r = Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca,
        "--intermediate", "cluster-1", "--intermediate", "cluster-2");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Created CA for trust domain example.org");
    for (Path key : new Path[] {ca.resolve("root_key.pem"), ca.resolve("intermediates/cluster-1/ca_key.pem"),
        ca.resolve("intermediates/cluster-2/ca_key.pem")}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).as(key.toString()).isEqualTo("rw-------");
    }
    X509Certificate inter = Pem.readCertificates(ca.resolve("intermediates/cluster-2/ca.pem")).get(0);
    assertThat(Extensions.trustDomainsOf(inter)).extracting(Object::toString).containsExactly("example.org");
    try (var s = Files.list(ca)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("root.pem", "root_key.pem", "intermediates");
    }
  }

  @Test
  void initWithoutIntermediatesCreatesOneNamedDefault() {
    Path ca = tmp.resolve("ca");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca).exitCode()).isZero();
    assertThat(ca.resolve("intermediates/default/ca.pem")).isRegularFile();
  }

  @Test
  void initRefusesToOverwriteAnExistingCa() throws Exception {
    Path ca = tmp.resolve("ca");
    Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca);
    byte[] before = Files.readAllBytes(ca.resolve("root_key.pem"));

    Cli.Result r = Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: " + ca + " already holds a CA (root.pem); refusing to overwrite it");
    assertThat(Files.readAllBytes(ca.resolve("root_key.pem"))).isEqualTo(before);
  }

  @Test
  void passphraseEncryptsTheRootKeyAndIsNeededForNewIntermediates() throws Exception {
    Path ca = tmp.resolve("ca");
    Path pass = PassphraseFileTest.ownerOnly(tmp.resolve("pass"), "s3cret passphrase\n");
    Path wrong = PassphraseFileTest.ownerOnly(tmp.resolve("wrong"), "nope\n");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--passphrase-file", pass)
        .exitCode()).isZero();
    assertThat(Files.readString(ca.resolve("root_key.pem"))).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");

    Cli.Result noPass = Cli.run("ca", "intermediate", "--dir", ca, "--name", "c2");
    assertThat(noPass.exitCode()).isEqualTo(2);
    assertThat(noPass.err()).contains("root_key.pem is encrypted: pass the passphrase with --passphrase-file");

    Cli.Result badPass = Cli.run("ca", "intermediate", "--dir", ca, "--name", "c2", "--passphrase-file", wrong);
    assertThat(badPass.exitCode()).isEqualTo(2);
    assertThat(badPass.errLines()).containsExactly("trustmesh: wrong passphrase for " + ca.resolve("root_key.pem"));
    assertThat(ca.resolve("intermediates/c2")).doesNotExist();

    Cli.Result ok = Cli.run("ca", "intermediate", "--dir", ca, "--name", "c2", "--passphrase-file", pass);
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(ca.resolve("intermediates/c2/ca.pem")).isRegularFile();
  }

  @Test
  void multiClusterIntermediateWithPathLenZeroAsJson() throws Exception {
    Path ca = tmp.resolve("ca");
    Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca);

    Cli.Result r = Cli.run("ca", "intermediate", "--dir", ca, "--name", "federation", "--trust-domain", "example.org",
        "--trust-domain", "partner.example", "--path-len", "0", "--ttl", "30d", "--output", "json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("trust_domains").toString()).isEqualTo("[\"example.org\",\"partner.example\"]");
    assertThat(json.get("path_len").asInt()).isZero();
  }

  @Test
  void intermediateOfAnExistingNameNeedsReplace() {
    Path ca = tmp.resolve("ca");
    Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--intermediate", "c1");
    Cli.Result r = Cli.run("ca", "intermediate", "--dir", ca, "--name", "c1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("intermediate 'c1' already exists");
    assertThat(Cli.run("ca", "intermediate", "--dir", ca, "--name", "c1", "--replace").exitCode()).isZero();
  }
}
