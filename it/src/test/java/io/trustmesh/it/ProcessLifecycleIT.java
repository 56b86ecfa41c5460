package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM as a service manager sends it (RELIABILITY.md F30, F31): the sidecar stops accepting at
 * once, reports not-ready, lets open connections finish and exits 0; past its drain deadline it
 * cuts them and exits 1. The CA server and the agent stop with exit 0 and remove their sockets.
 */
class ProcessLifecycleIT {
  @TempDir Path tmp;
  EchoBackend echo;

  @BeforeEach
  void echoBackend() throws IOException {
    echo = new EchoBackend();
  }

  @AfterEach
  void stopBackend() throws Exception {
    echo.close();
  }

  private Proc startProxy(String drainTimeout) throws IOException {
    Proc p = Proc.trustmesh(tmp, "proxy", "inbound", "--listen", "127.0.0.1:0", "--target",
        "127.0.0.1:" + echo.port(), "--mode", "disable", "--admin", "127.0.0.1:0",
        "--drain-timeout", drainTimeout);
    await().atMost(Duration.ofSeconds(120)).until(() -> p.output().contains("admin ") || !p.isAlive());
    assertThat(p.isAlive()).as(p.output()).isTrue();
    return p;
  }

  private static int port(String banner, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(banner);
    assertThat(m.find()).as(banner).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static String roundTrip(Socket s, BufferedReader in, String line) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return in.readLine();
  }

  private static boolean refused(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void sigtermStopsAcceptingLetsOpenConnectionsFinishAndExitsZero() throws Exception {
    try (Proc proxy = startProxy("60s")) {
      int listen = port(proxy.output(), "inbound +\\S+ +127\\.0\\.0\\.1:(\\d+) ->");
      int admin = port(proxy.output(), "admin +http://127\\.0\\.0\\.1:(\\d+)/");
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listen);
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
        assertThat(roundTrip(s, in, "before")).isEqualTo("before");

        proxy.terminate();
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.output().contains("draining 1 open connection(s)"));

        assertThat(refused(listen)).as("new connections are refused while draining").isTrue();
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("draining");
        assertThat(roundTrip(s, in, "during the drain")).as("the open connection still works both ways")
            .isEqualTo("during the drain");
        assertThat(proxy.isAlive()).isTrue();
      }
      assertThat(proxy.waitFor(30)).as(proxy.output()).isZero();
      assertThat(proxy.output()).contains("all connections drained; stopped");
    }
  }

  @Test
  void pastTheDrainDeadlineItCutsWhatIsLeftAndExitsOne() throws Exception {
    try (Proc proxy = startProxy("1s")) {
      int listen = port(proxy.output(), "inbound +\\S+ +127\\.0\\.0\\.1:(\\d+) ->");
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listen);
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
        assertThat(roundTrip(s, in, "hello")).isEqualTo("hello");

        proxy.terminate();

        assertThat(proxy.waitFor(30)).as(proxy.output()).isEqualTo(1);
        assertThat(proxy.output()).contains("1 connection(s) still open at the drain deadline; closing them")
            .doesNotContain("Exception");
        assertThat(in.readLine()).as("the client sees the connection end").isNull();
      }
    }
  }

  @Test
  void theServerAndTheAgentStopOnSigtermWithExitZeroAndRemoveTheirSockets() throws Exception {
    Path adminSocket = tmp.resolve("admin.sock");
    Path agentSocket = tmp.resolve("agent.sock");
    try (Proc server = Proc.trustmesh(tmp, "server", "--trust-domain", "example.org", "--data-dir",
        tmp.resolve("server"), "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--admin-socket", adminSocket)) {
      await().atMost(Duration.ofSeconds(120))
          .until(() -> server.output().contains("trustmesh: server for") || !server.isAlive());
      assertThat(server.isAlive()).as(server.output()).isTrue();
      int nodePort = port(server.output(), "server for example.org listening on 127\\.0\\.0\\.1:(\\d+)");
      String token = Proc.trustmeshOk(tmp, "token", "create", "--spiffe-id", "spiffe://example.org/agent/node-1",
          "--admin-socket", adminSocket).strip();
      Files.writeString(tmp.resolve("bundle.pem"),
          Proc.trustmeshOk(tmp, "bundle", "show", "--admin-socket", adminSocket));

      try (Proc agent = Proc.trustmesh(tmp, "agent", "--server", "127.0.0.1:" + nodePort, "--trust-bundle",
          tmp.resolve("bundle.pem"), "--join-token", token, "--data-dir", tmp.resolve("agent"),
          "--socket", "unix://" + agentSocket)) {
        await().atMost(Duration.ofSeconds(120)).until(() -> agent.output().contains("serving the Workload API")
            || !agent.isAlive());
        assertThat(agent.isAlive()).as(agent.output()).isTrue();

        agent.terminate();

        assertThat(agent.waitFor(30)).as(agent.output()).isZero();
        assertThat(agent.output()).contains("SIGTERM: stopping").doesNotContain("Exception");
        assertThat(agentSocket).doesNotExist();
      }

      server.terminate();

      assertThat(server.waitFor(30)).as(server.output()).isZero();
      assertThat(server.output()).contains("SIGTERM: stopping").doesNotContain("Exception");
      assertThat(adminSocket).doesNotExist();
    }
  }
}
