package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.pem.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input never costs anything: exit 2, one line that names the bad value, no stack trace, and no
 * partial output left behind.
 */
class BadInputTest {
  @TempDir static Path tmp;
  static Path ca;
  static Path svid;
  static Path out;

  @BeforeEach
  void setUp() throws Exception {
    if (ca == null) {
      ca = tmp.resolve("ca");
      assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca).exitCode()).isZero();
      svid = tmp.resolve("svid");
      assertThat(Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", "spiffe://example.org/web", "--out", svid)
          .exitCode()).isZero();
      String pem = Files.readString(svid.resolve("svid.pem"));
      Files.writeString(tmp.resolve("empty.pem"), "");
      Files.writeString(tmp.resolve("truncated.pem"), pem.substring(0, pem.length() / 3));
      Files.writeString(tmp.resolve("malformed.pem"), "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
      Files.write(tmp.resolve("garbage.der"), new byte[] {0x30, (byte) 0x82, 0x7f, 0x00, 0x01});
      Files.writeString(tmp.resolve("text.txt"), "just some text\n");
      // a key/cert mismatch: a CA directory whose intermediate key belongs to another CA
      Path other = tmp.resolve("other-ca");
      assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", other).exitCode()).isZero();
      Path mismatch = tmp.resolve("mismatch-ca");
      Files.createDirectories(mismatch.resolve("intermediates/default"));
      Files.copy(ca.resolve("root.pem"), mismatch.resolve("root.pem"));
      Files.copy(ca.resolve("root_key.pem"), mismatch.resolve("root_key.pem"));
      Files.copy(ca.resolve("intermediates/default/ca.pem"), mismatch.resolve("intermediates/default/ca.pem"));
      Files.copy(other.resolve("intermediates/default/ca_key.pem"), mismatch.resolve("intermediates/default/ca_key.pem"));
      Files.write(tmp.resolve("root-as-csr.pem"), Pem.encodeCertificates(Pem.readCertificates(ca.resolve("root.pem"))));
    }
    out = tmp.resolve("out-" + System.nanoTime());
  }

  static Stream<Arguments> badInvocations() {
    return Stream.of(
        bad("invalid SPIFFE ID", "'spiffe://example.org/a/../b'",
            "cert", "issue", "--ca", "@ca", "--spiffe-id", "spiffe://example.org/a/../b", "--out", "@out"),
        bad("SPIFFE ID with upper-case trust domain", "must be lowercase",
            "cert", "issue", "--ca", "@ca", "--spiffe-id", "spiffe://Example.org/web", "--out", "@out"),
        bad("invalid duration", "invalid duration '10 hours'",
            "cert", "issue", "--ca", "@ca", "--spiffe-id", "spiffe://example.org/web", "--ttl", "10 hours", "--out", "@out"),
        bad("zero duration", "duration must be positive: '0h'",
            "cert", "issue", "--ca", "@ca", "--spiffe-id", "spiffe://example.org/web", "--ttl", "0h", "--out", "@out"),
        bad("unknown key type", "unknown key type 'dsa-1024'",
            "cert", "issue", "--ca", "@ca", "--spiffe-id", "spiffe://example.org/web", "--key-type", "dsa-1024", "--out", "@out"),
        bad("invalid DNS name", "invalid DNS name 'web..svc'",
            "cert", "issue", "--ca", "@ca", "--spiffe-id", "spiffe://example.org/web", "--dns", "web..svc", "--out", "@out"),
        bad("missing CA directory", "CA directory not found: @tmp/nope",
            "cert", "issue", "--ca", "@tmp/nope", "--spiffe-id", "spiffe://example.org/web", "--out", "@out"),
        bad("not a CA directory", "is not a trustmesh CA directory",
            "cert", "issue", "--ca", "@tmp", "--spiffe-id", "spiffe://example.org/web", "--out", "@out"),
        bad("unknown intermediate", "no intermediate 'nope'",
            "cert", "issue", "--ca", "@ca", "--intermediate", "nope", "--spiffe-id", "spiffe://example.org/web", "--out", "@out"),
        bad("missing required option", "Missing required option: '--spiffe-id=ID'",
            "cert", "issue", "--ca", "@ca", "--out", "@out"),
        bad("unknown option", "Unknown option: '--frobnicate'", "version", "--frobnicate"),
        bad("invalid trust domain", "trust domain must not contain a port",
            "ca", "init", "--trust-domain", "example.org:443", "--dir", "@out"),
        bad("missing passphrase file", "passphrase file not found: @tmp/nope.pass",
            "ca", "init", "--trust-domain", "example.org", "--dir", "@out", "--passphrase-file", "@tmp/nope.pass"),
        bad("empty PEM to verify", "@tmp/empty.pem is empty",
            "cert", "verify", "--bundle", "@ca/root.pem", "@tmp/empty.pem"),
        bad("truncated PEM to verify", "malformed PEM in @tmp/truncated.pem",
            "cert", "verify", "--bundle", "@ca/root.pem", "@tmp/truncated.pem"),
        bad("malformed PEM bundle", "malformed",
            "cert", "verify", "--bundle", "@tmp/malformed.pem", "@svid/svid.pem"),
        bad("missing chain file", "file not found: @tmp/missing.pem",
            "cert", "verify", "--bundle", "@ca/root.pem", "@tmp/missing.pem"),
        bad("invalid --at time", "invalid time 'yesterday'",
            "cert", "verify", "--bundle", "@ca/root.pem", "--at", "yesterday", "@svid/svid.pem"),
        bad("DER garbage to inspect", "@tmp/garbage.der is not a certificate file",
            "cert", "inspect", "@tmp/garbage.der"),
        bad("text to inspect", "@tmp/text.txt is not a certificate file", "cert", "inspect", "@tmp/text.txt"),
        bad("CA key that does not match its certificate", "the private key does not match CA certificate",
            "cert", "issue", "--ca", "@tmp/mismatch-ca", "--spiffe-id", "spiffe://example.org/web", "--out", "@out"),
        bad("CSR file that holds a certificate", "no certificate request found in @tmp/root-as-csr.pem",
            "cert", "sign-csr", "--ca", "@ca", "--csr", "@tmp/root-as-csr.pem", "--spiffe-id", "spiffe://example.org/w",
            "--out", "@out/x.pem"),
        bad("truncated CSR", "malformed PEM in @tmp/truncated.pem",
            "cert", "sign-csr", "--ca", "@ca", "--csr", "@tmp/truncated.pem", "--spiffe-id", "spiffe://example.org/w",
            "--out", "@out/x.pem"));
  }

  private static Arguments bad(String what, String expected, String... args) {
    return Arguments.of(what, expected, args);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInvocations")
  void exitsTwoWithOneLineAndNoOutput(String what, String expected, String[] args) {
    List<Object> argv = new ArrayList<>();
    for (String a : args) {
      argv.add(expand(a));
    }
    Cli.Result r = Cli.run(argv.toArray());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).as(r.toString()).startsWith("trustmesh: ").contains(expand(expected))
        .doesNotContain("Exception", "\tat ");
    assertThat(out).as("no partial output").doesNotExist();
  }

  @Test
  void debugAddsTheStackTrace() {
    Cli.Result r = Cli.run("cert", "verify", "--debug", "--bundle", ca.resolve("root.pem"), tmp.resolve("empty.pem"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("is empty").contains("\tat ");
  }

  @Test
  void aFailedRenewLeavesTheOldFilesInPlace() throws Exception {
    byte[] cert = Files.readAllBytes(svid.resolve("svid.pem"));
    byte[] key = Files.readAllBytes(svid.resolve("svid_key.pem"));
    Cli.Result r = Cli.run("cert", "renew", "--ca", tmp.resolve("mismatch-ca"), "--in", svid);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(Files.readAllBytes(svid.resolve("svid.pem"))).isEqualTo(cert);
    assertThat(Files.readAllBytes(svid.resolve("svid_key.pem"))).isEqualTo(key);
    try (var s = Files.list(svid)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("svid.pem", "svid_key.pem", "svid_bundle.pem");
    }
  }

  private static String expand(String s) {
    return s.replace("@ca", ca.toString()).replace("@svid", svid.toString()).replace("@out", out.toString())
        .replace("@tmp", tmp.toString());
  }
}
