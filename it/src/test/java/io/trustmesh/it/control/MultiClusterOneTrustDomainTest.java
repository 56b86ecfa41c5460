package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import com.sun.security.auth.module.UnixSystem;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.crypto.KeyType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layout 1 of docs/multi-cluster.md: two clusters of example.org, each with its own server and
 * datastore under its own cluster intermediate of one offline root. A sidecar in cluster A calls
 * a sidecar in cluster B over mTLS; B admits A's workload by its SPIFFE ID, with the root as the
 * only common anchor. (Loopback only: the network-namespace variant is not written yet.)
 */
class MultiClusterOneTrustDomainTest {
  static final String UID = "unix:uid:" + new UnixSystem().getUid();
  static final String A_WEB = "spiffe://example.org/a/web";
  static final String B_API = "spiffe://example.org/b/api";

  @TempDir Path dir;

  ControlPlane cluster(String name, Path ca) {
    ControlPlane cp = new ControlPlane(dir.resolve(name));
    cp.serverConfig.upstream = "disk";
    cp.serverConfig.upstreamCert = ca.resolve("intermediates/" + name + "/ca.pem");
    cp.serverConfig.upstreamKey = ca.resolve("intermediates/" + name + "/ca_key.pem");
    cp.serverConfig.upstreamBundle = ca.resolve("root.pem");
    return cp;
  }

  @Test
  void aWorkloadInClusterACallsClusterBAuthorizedByItsSpiffeId() throws Exception {
    Path ca = dir.resolve("ca");
    CaDirectory.init(ca, ControlPlane.TD, KeyType.DEFAULT, Duration.ofDays(3650), List.of("cluster-a", "cluster-b"),
        Duration.ofDays(365), Optional.empty(), Clock.systemUTC());
    HttpServer backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    backend.createContext("/", ex -> {
      byte[] body = "hello from cluster b\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
    });
    backend.start();
    try (ControlPlane a = cluster("cluster-a", ca); ControlPlane b = cluster("cluster-b", ca)) {
      a.startServer();
      b.startServer();
      assertThat(a.server.authority().bundle()).isEqualTo(b.server.authority().bundle());
      a.entry(A_WEB, ControlPlane.AGENT_ID, Duration.ofMinutes(10), UID);
      b.entry(B_API, ControlPlane.AGENT_ID, Duration.ofMinutes(10), UID);
      TrustmeshAgent agentA = a.startAgent(a.agentConfig("agent", Optional.of(a.joinToken(ControlPlane.AGENT_ID))));
      TrustmeshAgent agentB = b.startAgent(b.agentConfig("agent", Optional.of(b.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(30)).until(() ->
          !agentA.snapshot().svids().isEmpty() && !agentB.snapshot().svids().isEmpty());

      try (SidecarProcess inB = SidecarProcess.start("inbound", "--listen", "127.0.0.1:0", "--target",
              "127.0.0.1:" + backend.getAddress().getPort(), "--workload-api", "unix://" + agentB.socketPath(),
              "--allow-id", A_WEB);
          SidecarProcess strictB = SidecarProcess.start("inbound", "--listen", "127.0.0.1:0", "--target",
              "127.0.0.1:" + backend.getAddress().getPort(), "--workload-api", "unix://" + agentB.socketPath(),
              "--allow-id", "spiffe://example.org/a/other")) {
        int inPort = inB.port();
        int strictPort = strictB.port();
        try (SidecarProcess outA = SidecarProcess.start("outbound", "--listen", "127.0.0.1:0", "--target",
                "127.0.0.1:" + inPort, "--workload-api", "unix://" + agentA.socketPath(), "--expect-id", B_API);
            SidecarProcess outAStrict = SidecarProcess.start("outbound", "--listen", "127.0.0.1:0", "--target",
                "127.0.0.1:" + strictPort, "--workload-api", "unix://" + agentA.socketPath(), "--expect-id", B_API)) {
          assertThat(get(outA.port())).isEqualTo("hello from cluster b\n");
          assertThat(get(outAStrict.port())).as("an ID the policy does not name is refused")
              .isNotEqualTo("hello from cluster b\n");
        }
      }
    } finally {
      backend.stop(0);
    }
  }

  private static String get(int port) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + port + "/")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return r.body();
    } catch (IOException e) {
      return "failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
