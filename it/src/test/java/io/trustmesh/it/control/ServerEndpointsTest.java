package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /healthz, /ready, /metrics over HTTP, and the SPIFFE bundle endpoint over HTTPS as curl sees it. */
class ServerEndpointsTest {
  @TempDir Path dir;

  @Test
  void healthMetricsAndBundleEndpoint() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.serverConfig.bundleEndpoint = "127.0.0.1:0";
      cp.startServer();
      cp.joinToken(ControlPlane.AGENT_ID);
      cp.startAgent(cp.agentConfig("agent", java.util.Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      String base = "http://127.0.0.1:" + cp.server.adminHttpAddress().orElseThrow().getPort();
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(http, base + "/ready").body()).isEqualTo("ready\n");
      String metrics = get(http, base + "/metrics").body();
      assertThat(metrics).contains("trustmesh_svid_issued_total 1")
          .contains("trustmesh_node_attestations_total 1")
          .contains("trustmesh_signing_ca_expiry_timestamp_seconds "
              + cp.server.authority().activeNotAfter().getEpochSecond());

      // curl, trusting the bundle and expecting the server's DNS SAN.
      Path ca = cp.trustBundleFile();
      int port = cp.server.bundleEndpointAddress().orElseThrow().getPort();
      Process curl = new ProcessBuilder("curl", "-sS", "--fail", "--cacert", ca.toString(),
          "--resolve", "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/")
          .redirectErrorStream(true).start();
      String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(curl.exitValue()).as(body).isZero();
      JsonNode json = new ObjectMapper().readTree(body);
      assertThat(json.get("spiffe_refresh_hint").asLong()).isPositive();
      JsonNode key = null;
      JsonNode jwtKey = null;
      for (JsonNode k : json.get("keys")) {
        if (k.get("use").asText().equals("x509-svid")) {
          key = k;
        } else if (k.get("use").asText().equals("jwt-svid")) {
          jwtKey = k;
        }
      }
      assertThat(key).as("an x509-svid key in %s", body).isNotNull();
      assertThat(jwtKey).as("a jwt-svid key in %s", body).isNotNull();
      assertThat(jwtKey.get("kid").asText()).isNotEmpty();
      assertThat(key.get("kty").asText()).isEqualTo("EC");
      assertThat(Base64.getDecoder().decode(key.get("x5c").get(0).asText()))
          .isEqualTo(cp.server.authority().bundle().get(0).getEncoded());
    }
  }

  @Test
  void adminSocketIsTheOwnersAloneAndLeavesNothingBehind() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      java.nio.file.Path socket = cp.serverConfig.adminSocket;

      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(socket)))
          .isEqualTo("rw-------");
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(socket.getParent())) {
        assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".admin-"));
      }
      assertThat(cp.joinToken(ControlPlane.AGENT_ID)).as("a token made over the renamed socket").isNotEmpty();
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
