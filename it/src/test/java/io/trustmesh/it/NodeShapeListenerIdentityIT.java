package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 3, the node shape as a user runs it: one {@code trustmesh proxy run} from the fat
 * jar serving two workloads' listeners, each with its own SVID directory. openssl s_client shows
 * which certificate each port presents; curl as the frontend (allowed by web's policy, not by
 * api's) gets through web and is refused on api; the web workload's outbound presents web's SVID,
 * which api admits, while the node's own SVID is presented nowhere.
 */
class NodeShapeListenerIdentityIT {
  static final String JAR = System.getProperty("trustmesh.jar");
  @TempDir Path tmp;
  HelloBackend backend;
  Process sidecar;

  @BeforeEach
  void backend() throws IOException {
    backend = HelloBackend.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    Proc.stop(sidecar);
    backend.close();
  }

  private static List<String> trustmesh(Object... args) {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR));
    for (Object a : args) {
      cmd.add(a.toString());
    }
    return cmd;
  }

  private void issue(Path ca, String id, String dir) throws Exception {
    Proc.Finished r = Proc.run(trustmesh("cert", "issue", "--ca", ca, "--spiffe-id", id, "--dns", "localhost", "--ttl", "1h",
        "--out", tmp.resolve(dir)), "");
    assertThat(r.exit()).as(r.out()).isZero();
  }

  /** The URI SAN of the leaf the port presents, as openssl s_client received it. */
  private String presentedId(int port) throws Exception {
    Proc.Finished r = Proc.run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-CAfile",
        tmp.resolve("node/svid_bundle.pem").toString(), "-cert", tmp.resolve("frontend/svid.pem").toString(),
        "-cert_chain", tmp.resolve("frontend/svid.pem").toString(),
        "-key", tmp.resolve("frontend/svid_key.pem").toString()), "");
    Matcher m = Pattern.compile("-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", Pattern.DOTALL)
        .matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.US_ASCII)));
    return leaf.getSubjectAlternativeNames().stream().filter(n -> (Integer) n.get(0) == 6)
        .map(n -> (String) n.get(1)).findFirst().orElseThrow();
  }

  private Proc.Finished curlAsFrontend(int port) throws Exception {
    return Proc.run(List.of("curl", "-sS", "--max-time", "10", "--resolve", "localhost:" + port + ":127.0.0.1",
        "--cacert", tmp.resolve("node/svid_bundle.pem").toString(),
        "--cert", tmp.resolve("frontend/svid.pem").toString(),
        "--key", tmp.resolve("frontend/svid_key.pem").toString(), "https://localhost:" + port + "/"), "");
  }

  private static int port(String banner, String kind, String listener) {
    Matcher m = Pattern.compile(kind + " +" + listener + " +127\\.0\\.0\\.1:(\\d+) ->").matcher(banner);
    assertThat(m.find()).as(banner).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void twoListenersPresentTwoSvidsAndApplyTheirOwnPolicies() throws Exception {
    Path ca = tmp.resolve("ca");
    assertThat(Proc.run(trustmesh("ca", "init", "--trust-domain", "example.org", "--dir", ca), "").exit()).isZero();
    issue(ca, "spiffe://example.org/node", "node");
    issue(ca, "spiffe://example.org/web", "web");
    issue(ca, "spiffe://example.org/api", "api");
    issue(ca, "spiffe://example.org/frontend", "frontend");
    String target = backend.target();
    // the outbound of the web workload targets the api listener: its port is only known after the
    // start, so it goes through a fixed free port chosen here
    int apiPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      apiPort = s.getLocalPort();
    }
    Files.writeString(tmp.resolve("sidecar.yaml"), """
        identity:
          svid_dir: node
        identities:
          web: {svid_dir: web}
          api: {svid_dir: api}
        access_log: access.log
        inbound:
          - name: web
            listen: 127.0.0.1:0
            target: %1$s
            identity: web
            allow: {ids: [spiffe://example.org/frontend]}
          - name: api
            listen: 127.0.0.1:%2$d
            target: %1$s
            identity: api
            allow: {ids: [spiffe://example.org/web]}
        outbound:
          - name: web-to-api
            listen: 127.0.0.1:0
            target: 127.0.0.1:%2$d
            identity: web
            expect_id: spiffe://example.org/api
          - name: node-to-api
            listen: 127.0.0.1:0
            target: 127.0.0.1:%2$d
            expect_id: spiffe://example.org/api
        """.formatted(target, apiPort));
    sidecar = new ProcessBuilder(trustmesh("proxy", "run", "--config", tmp.resolve("sidecar.yaml")))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("sidecar.out").toFile()).start();
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(tmp.resolve("sidecar.out")).contains("reasons")
        || !sidecar.isAlive());
    String banner = Files.readString(tmp.resolve("sidecar.out"));
    assertThat(banner).contains("identity spiffe://example.org/web").contains("identity spiffe://example.org/api");
    int web = port(banner, "inbound", "web");
    int webToApi = port(banner, "outbound", "web-to-api");
    int nodeToApi = port(banner, "outbound", "node-to-api");

    assertThat(presentedId(web)).isEqualTo("spiffe://example.org/web");
    assertThat(presentedId(apiPort)).isEqualTo("spiffe://example.org/api");

    Proc.Finished allowed = curlAsFrontend(web);
    assertThat(allowed.out()).isEqualTo("hello from backend\n");
    Proc.Finished refused = curlAsFrontend(apiPort);
    assertThat(refused.exit()).as(refused.out()).isNotZero();
    assertThat(refused.out()).doesNotContain("hello from backend");

    Proc.Finished asWeb = Proc.run(List.of("curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + webToApi + "/"), "");
    assertThat(asWeb.out()).isEqualTo("hello from backend\n");
    Proc.Finished asNode = Proc.run(List.of("curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + nodeToApi + "/"), "");
    assertThat(asNode.out()).doesNotContain("hello from backend");

    Path log = tmp.resolve("access.log");
    // Each connection is logged when it ends, and the three above end in no set order: wait for all.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(log).exists();
      assertThat(Files.readString(log)).contains("\"peer_spiffe_id\":\"spiffe://example.org/node\"")
          .contains("\"listener\":\"api\"").contains("\"peer_spiffe_id\":\"spiffe://example.org/frontend\"")
          .contains("\"local_spiffe_id\":\"spiffe://example.org/api\"")
          .contains("\"local_spiffe_id\":\"spiffe://example.org/web\"");
    });
  }
}
