package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.workload.WorkloadApiX509Source;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Services that run as one user are entitled to several SVIDs from one agent (two entries with
 * the same {@code unix:uid} selector). Each sidecar presents the one it names with
 * {@code --spiffe-id}, as openssl sees it; one naming an ID the agent does not serve never listens.
 */
class SidecarsPickTheirOwnSvidTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  static final String WEB = "spiffe://example.org/web";
  static final String API = "spiffe://example.org/api";
  static final String FRONTEND = "spiffe://example.org/frontend";
  static final String AGENT_2 = "spiffe://example.org/agent/node-2";
  static final Pattern INBOUND = Pattern.compile("inbound +inbound +127\\.0\\.0\\.1:(\\d+) ->");

  @TempDir Path dir;

  @Test
  void eachSidecarPresentsTheSvidItAskedFor() throws Exception {
    List<Process> proxies = new ArrayList<>();
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry(WEB, ControlPlane.AGENT_ID, Duration.ofMinutes(10), "unix:uid:" + UID);
      cp.entry(API, ControlPlane.AGENT_ID, Duration.ofMinutes(10), "unix:uid:" + UID);
      cp.entry(FRONTEND, AGENT_2, Duration.ofMinutes(10), "unix:uid:" + UID);
      TrustmeshAgent agent1 = cp.startAgent(cp.agentConfig("agent1", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      TrustmeshAgent agent2 = cp.startAgent(cp.agentConfig("agent2", Optional.of(cp.joinToken(AGENT_2))));
      await().atMost(Duration.ofSeconds(20)).until(() ->
          agent1.snapshot().svids().size() >= 2 && !agent2.snapshot().svids().isEmpty());

      Path client = dir.resolve("client");
      try (WorkloadApiX509Source src = WorkloadApiX509Source.connect("unix://" + agent2.socketPath(),
          Duration.ofSeconds(10))) {
        src.svid().write(client, src.bundles().bundles().stream().flatMap(b -> b.authorities().stream()).toList());
      }
      String socket = "unix://" + agent1.socketPath();

      // Asked in the order opposite to the agent's listing for one of them, so "the first" cannot pass.
      StringBuffer webOut = new StringBuffer();
      StringBuffer apiOut = new StringBuffer();
      proxies.add(proxy(webOut, socket, WEB));
      proxies.add(proxy(apiOut, socket, API));
      await().atMost(Duration.ofSeconds(60)).until(() -> INBOUND.matcher(webOut).find() && INBOUND.matcher(apiOut).find());
      assertThat(webOut.toString()).contains("identity  " + WEB);
      assertThat(apiOut.toString()).contains("identity  " + API);
      assertThat(presentedUri(client, port(webOut))).isEqualTo("URI:" + WEB);
      assertThat(presentedUri(client, port(apiOut))).isEqualTo("URI:" + API);

      // An ID this uid is not entitled to: no listener, one line naming it and what the agent offers.
      StringBuffer dbOut = new StringBuffer();
      Process db = proxy(dbOut, socket, "spiffe://example.org/db");
      proxies.add(db);
      assertThat(db.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(db.exitValue()).as(dbOut.toString()).isEqualTo(2);
      await().atMost(Duration.ofSeconds(30)).until(() -> dbOut.toString().endsWith("\n"));
      String[] lines = dbOut.toString().trim().split("\\R");
      assertThat(lines).as(dbOut.toString()).hasSize(1);
      assertThat(lines[0]).contains("spiffe://example.org/db").contains(WEB).contains(API)
          .doesNotContain(FRONTEND).doesNotContain("Exception");
      assertThat(INBOUND.matcher(dbOut).find()).isFalse();
    } finally {
      for (Process p : proxies) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static Process proxy(StringBuffer out, String socket, String spiffeId) throws IOException {
    List<String> cmd = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", System.getProperty("trustmesh.jar"),
        "proxy", "inbound", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:9",
        "--workload-api", socket, "--spiffe-id", spiffeId, "--allow-id", FRONTEND);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    InputStream in = p.getInputStream();
    Thread reader = new Thread(() -> {
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
      } catch (IOException ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  private static int port(CharSequence out) {
    Matcher m = INBOUND.matcher(out);
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /** The URI SAN of the leaf the sidecar presents to a real TLS client. */
  private String presentedUri(Path client, int port) throws Exception {
    String handshake = run("openssl", "s_client", "-connect", "127.0.0.1:" + port,
        "-CAfile", client.resolve("svid_bundle.pem").toString(), "-cert", client.resolve("svid.pem").toString(),
        "-key", client.resolve("svid_key.pem").toString(), "-verify_return_error");
    int begin = handshake.indexOf("-----BEGIN CERTIFICATE-----");
    int end = handshake.indexOf("-----END CERTIFICATE-----");
    assertThat(begin).as(handshake).isNotNegative();
    Path leaf = Files.createTempFile(dir, "leaf", ".pem");
    Files.writeString(leaf, handshake.substring(begin, end + "-----END CERTIFICATE-----".length()) + "\n");
    String ext = run("openssl", "x509", "-in", leaf.toString(), "-noout", "-ext", "subjectAltName");
    Matcher m = Pattern.compile("URI:\\S+").matcher(ext);
    assertThat(m.find()).as(ext).isTrue();
    return m.group().replaceAll(",$", "");
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
  }
}
