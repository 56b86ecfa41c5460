package io.trustmesh.mesh.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The attacks on a dashboard without a login: writes, other hosts, other origins by DNS rebinding. */
class DashboardIsReadOnlyAndLoopbackOnlyTest {
  @TempDir static Path dir;
  static Dashboard dashboard;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    Files.writeString(dir.resolve("state.json"), "{\"version\":1,\"trust_domain\":\"example.org\",\"services\":[]}");
    dashboard = Dashboard.start(dir, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterAll
  static void stop() {
    if (dashboard != null) {
      dashboard.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"})
  void everyMethodThatIsNotAReadIsRefused(String method) throws Exception {
    for (String path : List.of("/", "/api/edges", "/api/services")) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(dashboard.url().resolve(path))
          .method(method, HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
      assertThat(r.headers().firstValue("Allow")).contains("GET, HEAD");
    }
  }

  @Test
  void readsAnswerWithAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(dashboard.url()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script src=\"/app.js\" defer></script>").doesNotContain("http://", "https://");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'").contains("script-src 'self'").contains("frame-ancestors 'none'")
        .doesNotContain("unsafe");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(dashboard.url().resolve("/api/edges"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void aPageFromAnotherOriginRebindingItsNameToLoopbackIsRefused() throws Exception {
    // what a browser sends after evil.example resolved to 127.0.0.1: the attacker's Host
    String response = raw("GET /api/services HTTP/1.1\r\nHost: evil.example:" + dashboard.address().getPort()
        + "\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 403").doesNotContain("\"services\"");
    String ok = raw("GET /api/services HTTP/1.1\r\nHost: localhost:" + dashboard.address().getPort()
        + "\r\nConnection: close\r\n\r\n");
    assertThat(ok).startsWith("HTTP/1.1 200").contains("\"services\"");
  }

  @Test
  void aNonLoopbackAddressIsRefusedBeforeAnythingListens() throws Exception {
    assertThatThrownBy(() -> Dashboard.start(dir, new InetSocketAddress("0.0.0.0", 0)))
        .isInstanceOf(BadInputException.class).hasMessageContaining("0.0.0.0 is not a loopback address");
    InetAddress external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
        .filter(a -> !a.isLoopbackAddress()).findFirst().orElse(InetAddress.getByName("192.0.2.1"));
    assertThatThrownBy(() -> Dashboard.start(dir, new InetSocketAddress(external, 0)))
        .isInstanceOf(BadInputException.class).hasMessageContaining("is not a loopback address");
    assertThatThrownBy(() -> Dashboard.start(dir, InetSocketAddress.createUnresolved("localhost", 0)))
        .isInstanceOf(BadInputException.class);
  }

  @Test
  void aMissingMeshIsAnErrorDocumentNotACrash() throws Exception {
    Path empty = Files.createTempDirectory(dir, "nomesh");
    try (Dashboard d = Dashboard.start(empty, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(d.url().resolve("/api/edges")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("no running mesh in");
      assertThat(HTTP.send(HttpRequest.newBuilder(d.url().resolve("/app.js")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
  }

  private static String raw(String request) throws IOException {
    InetSocketAddress a = dashboard.address();
    try (Socket s = new Socket(a.getAddress(), a.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
