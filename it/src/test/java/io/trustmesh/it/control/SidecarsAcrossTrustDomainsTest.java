package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import com.sun.security.auth.module.UnixSystem;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.node.proto.Entry;
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
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sidecars in different trust domains: partner.org's outbound sidecar (identity from a
 * partner.org agent) calls example.org's inbound sidecar (identity from an example.org agent).
 * Each side verifies the other against the other domain's federated bundle. The inbound side
 * admits the partner only where its allow policy names it; with the federation deleted the same
 * call is refused.
 */
class SidecarsAcrossTrustDomainsTest {
  static final String UID = "unix:uid:" + new UnixSystem().getUid();
  static final String BACKEND = "spiffe://example.org/backend";
  static final String FRONTEND = "spiffe://partner.org/frontend";
  static final String PARTNER_AGENT = "spiffe://partner.org/agent/node-1";

  @TempDir Path dir;

  @Test
  void mutualTlsThroughFederationOnlyForNamedPeersAndOnlyWhileFederated() throws Exception {
    HttpServer backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    backend.createContext("/", ex -> {
      byte[] body = "hello from example.org\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
    });
    backend.start();
    ControlPlane home = new ControlPlane(dir.resolve("home"));
    home.serverConfig.bundleEndpoint = "127.0.0.1:0";
    home.serverConfig.bundleRefreshHint = Duration.ofSeconds(1);
    try (home; ControlPlane partner = Federations.partner(dir.resolve("partner"))) {
      home.startServer();
      partner.startServer();
      Federations.federate(home, partner);
      Federations.federate(partner, home);
      try (AdminClient a = home.admin()) {
        a.createEntry(Entry.newBuilder().setSpiffeId(BACKEND).setParentId(ControlPlane.AGENT_ID).addSelectors(UID)
            .setTtlSeconds(600).addFederatesWith("partner.org").build());
      }
      try (AdminClient a = partner.admin()) {
        a.createEntry(Entry.newBuilder().setSpiffeId(FRONTEND).setParentId(PARTNER_AGENT).addSelectors(UID)
            .setTtlSeconds(600).addFederatesWith("example.org").build());
      }
      TrustmeshAgent homeAgent = home.startAgent(home.agentConfig("agent", Optional.of(home.joinToken(ControlPlane.AGENT_ID))));
      TrustmeshAgent partnerAgent = partner.startAgent(
          partner.agentConfig("agent", Optional.of(partner.joinToken(PARTNER_AGENT))));
      await().atMost(Duration.ofSeconds(30)).until(() -> homeAgent.snapshot().federated().containsKey("partner.org")
          && partnerAgent.snapshot().federated().containsKey("example.org"));

      String target = "127.0.0.1:" + backend.getAddress().getPort();
      try (SidecarProcess named = SidecarProcess.start("inbound", "--listen", "127.0.0.1:0", "--target", target,
              "--workload-api", "unix://" + homeAgent.socketPath(), "--allow-id", FRONTEND);
          SidecarProcess notNamed = SidecarProcess.start("inbound", "--listen", "127.0.0.1:0", "--target", target,
              "--workload-api", "unix://" + homeAgent.socketPath(), "--allow-trust-domain", "example.org")) {
        int namedPort = named.port();
        int notNamedPort = notNamed.port();
        try (SidecarProcess toNamed = outbound(partnerAgent, namedPort);
            SidecarProcess toNotNamed = outbound(partnerAgent, notNamedPort)) {
          int viaNamed = toNamed.port();
          int viaNotNamed = toNotNamed.port();
          assertThat(get(viaNamed)).isEqualTo("hello from example.org\n");

          // Federation alone admits nobody: the partner is authenticated but not named.
          assertThat(get(viaNotNamed)).isNotEqualTo("hello from example.org\n");
          await().atMost(Duration.ofSeconds(10)).until(() -> notNamed.output().contains(FRONTEND));
          assertThat(notNamed.output()).contains("is not allowed");

          // Deleted federation: once the home agent drops partner.org's bundle, the named peer is refused too.
          try (AdminClient a = home.admin()) {
            a.deleteFederation("partner.org");
          }
          await().atMost(Duration.ofSeconds(30)).until(() -> !homeAgent.snapshot().federated().containsKey("partner.org"));
          await().atMost(Duration.ofSeconds(30)).until(() -> !"hello from example.org\n".equals(get(viaNamed)));
        }
      }
    } finally {
      backend.stop(0);
    }
  }

  private static SidecarProcess outbound(TrustmeshAgent partnerAgent, int inboundPort) throws IOException {
    return SidecarProcess.start("outbound", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:" + inboundPort,
        "--workload-api", "unix://" + partnerAgent.socketPath(), "--expect-id", BACKEND);
  }

  /** A plain HTTP GET through the outbound sidecar; an error or refusal becomes its message. */
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
