package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 15, as found: intermediates were name-constrained for URIs only, so a cluster
 * intermediate could sign DNS:www.google.com and openssl accepted it under the root. With {@code
 * --permit-dns} the intermediate carries critical permitted dNSName subtrees and openssl refuses a
 * name outside them.
 */
class PermitDnsTest {
  static final String WEB = "spiffe://example.org/ns/prod/sa/web";
  @TempDir Path tmp;

  private String opensslVerify(Path ca, Path svidDir) throws Exception {
    Process p = new ProcessBuilder("openssl", "verify", "-CAfile", ca.resolve("root.pem").toString(),
        "-untrusted", ca.resolve("intermediates/cluster-1/ca.pem").toString(), svidDir.resolve("svid.pem").toString())
        .redirectErrorStream(true).start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("openssl verify did not finish");
    }
    return new String(p.getInputStream().readAllBytes()) + "exit=" + p.exitValue();
  }

  private Path issue(Path ca, String dns) {
    Path out = tmp.resolve(dns);
    Cli.Result r = Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", WEB, "--dns", dns, "--ttl", "1h", "--out", out);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return out;
  }

  @Test
  void anIntermediateWithPermitDnsCannotSignANameOutside() throws Exception {
    Path ca = tmp.resolve("ca");
    Cli.Result init = Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca,
        "--intermediate", "cluster-1", "--permit-dns", "prod.svc");
    assertThat(init.exitCode()).as(init.toString()).isZero();

    assertThat(opensslVerify(ca, issue(ca, "web.prod.svc"))).contains(": OK").endsWith("exit=0");
    assertThat(opensslVerify(ca, issue(ca, "www.google.com"))).contains("permitted subtree violation")
        .doesNotEndWith("exit=0");
  }

  @Test
  void withoutPermitDnsTheDnsSpaceIsUnconstrained() throws Exception {
    // what docs/pki.md warns about: any DNS name verifies under the root
    Path ca = tmp.resolve("ca");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--intermediate", "cluster-1")
        .exitCode()).isZero();

    assertThat(opensslVerify(ca, issue(ca, "www.google.com"))).endsWith("exit=0");
  }

  @Test
  void intermediateCommandTakesPermitDnsAndNamesABadSuffix() throws Exception {
    Path ca = tmp.resolve("ca");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--intermediate", "cluster-1")
        .exitCode()).isZero();
    Cli.Result ok = Cli.run("ca", "intermediate", "--dir", ca, "--name", "cluster-1", "--replace",
        "--permit-dns", "prod.svc");
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(opensslVerify(ca, issue(ca, "www.google.com"))).contains("permitted subtree violation");

    Cli.Result bad = Cli.run("ca", "intermediate", "--dir", ca, "--name", "cluster-2", "--permit-dns", "*.prod.svc");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("*.prod.svc").doesNotContain("Exception");
    assertThat(Files.exists(ca.resolve("intermediates/cluster-2"))).isFalse();
    assertThat(List.of(bad.err().split("\n"))).hasSize(1);
  }
}
