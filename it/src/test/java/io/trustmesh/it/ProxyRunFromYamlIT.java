package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fat jar as a user runs it: a CA and SVIDs made with {@code trustmesh ca init} and {@code cert
 * issue}, then {@code trustmesh proxy run --config sidecar.yaml} with a strict and a plaintext
 * port in front of one backend; curl on both; SIGTERM stops it.
 */
class ProxyRunFromYamlIT {
  static final String JAR = System.getProperty("trustmesh.jar");
  @TempDir Path tmp;
  HelloBackend backend;
  Process sidecar;

  @BeforeEach
  void backend() throws IOException {
    backend = HelloBackend.start();
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.destroyForcibly();
    }
    backend.close();
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(cmd + "\n" + out).isZero();
    return out;
  }

  private List<String> trustmesh(String... args) {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The banner names each listener with the port it bound (port 0 in the file). */
  private static int boundPort(String banner, String listener) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("inbound +" + listener + " +127\\.0\\.0\\.1:(\\d+) ->").matcher(banner);
    assertThat(m.find()).as(banner).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void strictAndPlaintextPortsFromOneYamlFile() throws Exception {
    Path ca = tmp.resolve("ca");
    run(trustmesh("ca", "init", "--trust-domain", "example.org", "--dir", ca.toString()));
    run(trustmesh("cert", "issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://example.org/ns/prod/sa/api",
        "--dns", "localhost", "--ttl", "1h", "--out", tmp.resolve("svid").toString()));
    run(trustmesh("cert", "issue", "--ca", ca.toString(), "--spiffe-id",
        "spiffe://example.org/ns/prod/sa/frontend", "--ttl", "1h", "--out", tmp.resolve("client").toString()));
    String target = backend.target();
    Files.writeString(tmp.resolve("sidecar.yaml"), """
        identity:
          svid_dir: svid
        admin: 127.0.0.1:0
        access_log: access.log
        inbound:
          - name: api
            listen: 127.0.0.1:0
            target: %s
            mode: strict
            allow:
              ids: [spiffe://example.org/ns/prod/sa/frontend]
          - name: metrics
            listen: 127.0.0.1:0
            target: %s
            mode: disable
        """.formatted(target, target));

    sidecar = new ProcessBuilder(trustmesh("proxy", "run", "--config", tmp.resolve("sidecar.yaml").toString()))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("sidecar.out").toFile()).start();
    await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(tmp.resolve("sidecar.out")).contains("admin")
        || !sidecar.isAlive());

    String out = Files.readString(tmp.resolve("sidecar.out"));
    int api = boundPort(out, "api");
    int metrics = boundPort(out, "metrics");
    assertThat(out).contains("TLS engine BoringSSL").contains("inbound   api").contains("mode strict")
        .contains("inbound   metrics").contains("mode disable");
    String mtls = run(List.of("curl", "-sS", "--max-time", "10", "--resolve", "localhost:" + api + ":127.0.0.1",
        "--cacert", tmp.resolve("client/svid_bundle.pem").toString(),
        "--cert", tmp.resolve("client/svid.pem").toString(), "--key", tmp.resolve("client/svid_key.pem").toString(),
        "https://localhost:" + api + "/"));
    assertThat(mtls).isEqualTo("hello from backend\n");
    String plain = run(List.of("curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + metrics + "/"));
    assertThat(plain).isEqualTo("hello from backend\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(tmp.resolve("access.log"))
        && Files.readAllLines(tmp.resolve("access.log")).size() == 2);
    assertThat(Files.readString(tmp.resolve("access.log")))
        .contains("\"peer_spiffe_id\":\"spiffe://example.org/ns/prod/sa/frontend\"").contains("\"tls\":\"plaintext\"");

    sidecar.destroy(); // SIGTERM
    assertThat(sidecar.waitFor(15, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
  }
}
