package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.core.pem.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two trustmesh identities complete a mutual TLS handshake between openssl s_server (which requires
 * and verifies a client certificate) and openssl s_client, and exchange bytes; a client identity
 * from another root is refused.
 */
class OpensslMutualTlsIT {
  private static final Pattern ACCEPT = Pattern.compile("ACCEPT .*:(\\d+)");
  @TempDir Path tmp;

  @BeforeEach
  void issueIdentities() throws Exception {
    Proc.trustmeshOk(tmp, "ca", "init", "--trust-domain", "example.org", "--dir", "ca");
    Proc.trustmeshOk(tmp, "ca", "init", "--trust-domain", "example.org", "--dir", "rogue");
    Proc.trustmeshOk(tmp, "cert", "issue", "--ca", "ca", "--spiffe-id", "spiffe://example.org/backend", "--out", "backend");
    Proc.trustmeshOk(tmp, "cert", "issue", "--ca", "ca", "--spiffe-id", "spiffe://example.org/frontend", "--out", "frontend");
    Proc.trustmeshOk(tmp, "cert", "issue", "--ca", "rogue", "--spiffe-id", "spiffe://example.org/frontend", "--out", "intruder");
    for (String who : List.of("backend", "frontend", "intruder")) {
      List<X509Certificate> chain = Pem.readCertificates(tmp.resolve(who).resolve("svid.pem"));
      Files.write(tmp.resolve(who).resolve("intermediates.pem"), Pem.encodeCertificates(chain.subList(1, chain.size())));
    }
  }

  @Test
  void twoIdentitiesHandshakeMutuallyAndExchangeBytes() throws Exception {
    try (Proc server = startServer()) {
      int port = awaitPort(server);
      try (Proc client = startClient("frontend", port)) {
        client.send("hello-over-mtls\n");
        // s_server -rev answers every line reversed: bytes made the round trip through both stacks.
        await().atMost(Duration.ofSeconds(20)).until(() -> client.output().contains("sltm-revo-olleh"));
        client.stdin().close();
        assertThat(client.waitFor(20)).as(client.output()).isZero();
        assertThat(client.output()).contains("Verify return code: 0 (ok)", "Protocol  : TLSv1.3");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.output().contains("depth=0"));
      assertThat(server.output()).doesNotContain("verify error");
    }
  }

  @Test
  void aClientFromAnotherRootIsRefused() throws Exception {
    try (Proc server = startServer()) {
      int port = awaitPort(server);
      try (Proc client = startClient("intruder", port)) {
        client.send("let me in\n");
        client.stdin().close();
        client.waitFor(20);
        assertThat(client.output()).doesNotContain("ni em tel");
      }
      await().atMost(Duration.ofSeconds(10))
          .until(() -> server.output().contains("unable to get local issuer certificate")
              || server.output().contains("certificate verify failed"));
    }
  }

  private Proc startServer() throws Exception {
    return Proc.start(tmp, "openssl", "s_server", "-accept", "0", "-naccept", "1", "-rev",
        "-cert", "backend/svid.pem", "-key", "backend/svid_key.pem", "-cert_chain", "backend/intermediates.pem",
        "-CAfile", "ca/root.pem", "-Verify", "5", "-verify_return_error");
  }

  private Proc startClient(String who, int port) throws Exception {
    return Proc.start(tmp, "openssl", "s_client", "-connect", "127.0.0.1:" + port,
        "-cert", who + "/svid.pem", "-key", who + "/svid_key.pem", "-cert_chain", who + "/intermediates.pem",
        "-CAfile", "ca/root.pem", "-verify", "5", "-verify_return_error");
  }

  private static int awaitPort(Proc server) {
    await().atMost(Duration.ofSeconds(20)).until(() -> ACCEPT.matcher(server.output()).find());
    Matcher m = ACCEPT.matcher(server.output());
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
