package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 6. {@code proxy outbound --tls simple} (the seed's DestinationRule SIMPLE to an
 * external API) runs without a client identity and verifies the server against --ca-bundle and
 * --server-name, against a real {@code openssl s_server} that asks for no client certificate and
 * whose certificate openssl made (an external API knows nothing of SPIFFE). Plaintext (inbound
 * mode disable, outbound --tls disable) and a self-signed server upstream are said at start.
 */
class SimpleTlsAndStartWarningsIT {
  private static final Pattern ACCEPT = Pattern.compile("ACCEPT .*:(\\d+)");
  private static final Pattern OUTBOUND = Pattern.compile("outbound +outbound +127\\.0\\.0\\.1:(\\d+) ->");
  @TempDir Path tmp;

  @BeforeEach
  void partnerCertificates() throws Exception {
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "partner-ca.key", "-out", "partner-ca.pem", "-days", "1", "-subj", "/CN=Partner Root",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "api.key", "-out", "api.csr", "-subj", "/CN=api.partner.example");
    Files.writeString(tmp.resolve("api.ext"), "subjectAltName=DNS:api.partner.example\n"
        + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
    run("openssl", "x509", "-req", "-in", "api.csr", "-CA", "partner-ca.pem", "-CAkey", "partner-ca.key",
        "-CAcreateserial", "-out", "api.pem", "-days", "1", "-extfile", "api.ext");
  }

  private void run(String... cmd) throws Exception {
    try (Proc p = Proc.start(tmp, (Object[]) cmd)) {
      assertThat(p.waitFor(120)).as(p.output()).isZero();
    }
  }

  /** openssl s_server that does not ask for a client certificate and answers each line reversed. */
  private Proc partnerApi() throws Exception {
    return Proc.start(tmp, "openssl", "s_server", "-accept", "0", "-naccept", "1", "-rev",
        "-cert", "api.pem", "-key", "api.key");
  }

  private static int port(Proc p, Pattern pattern) {
    await().atMost(Duration.ofSeconds(60)).until(() -> pattern.matcher(p.output()).find() || !p.isAlive());
    Matcher m = pattern.matcher(p.output());
    assertThat(m.find()).as(p.output()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private Proc simpleOutbound(int apiPort, String serverName) throws Exception {
    return Proc.trustmesh(tmp, "proxy", "outbound", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:" + apiPort,
        "--tls", "simple", "--ca-bundle", "partner-ca.pem", "--server-name", serverName);
  }

  /** Sends one line through the proxy and returns what came back before the connection closed. */
  private static String exchange(int port, String line, String expect) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[256];
      int n;
      try {
        while (!got.toString(StandardCharsets.UTF_8).contains(expect) && (n = in.read(buf)) > 0) {
          got.write(buf, 0, n);
        }
      } catch (SocketException e) {
        // the proxy reset the connection: what came before is the answer
      }
      return got.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void simpleTlsReachesAnExternalApiWithoutAClientIdentity() throws Exception {
    try (Proc api = partnerApi()) {
      int apiPort = port(api, ACCEPT);
      try (Proc proxy = simpleOutbound(apiPort, "api.partner.example")) {
        int local = port(proxy, OUTBOUND);
        assertThat(proxy.output()).contains("tls simple  expect DNS name api.partner.example")
            .doesNotContain("identity  ");
        assertThat(exchange(local, "hello-simple", "elpmis-olleh")).contains("elpmis-olleh");
      }
    }
  }

  @Test
  void simpleTlsRefusesAServerThatIsNotTheNamedOne() throws Exception {
    try (Proc api = partnerApi()) {
      int apiPort = port(api, ACCEPT);
      try (Proc proxy = simpleOutbound(apiPort, "api.other.example")) {
        int local = port(proxy, OUTBOUND);
        assertThat(exchange(local, "hello-simple", "elpmis-olleh")).doesNotContain("elpmis-olleh");
        await().atMost(Duration.ofSeconds(20)).until(() -> proxy.output()
            .contains("certificate CN=api.partner.example is not valid for DNS name api.other.example"));
      }
    }
  }

  @Test
  void plaintextPortsAreSaidAtStart() throws Exception {
    try (Proc inbound = Proc.trustmesh(tmp, "proxy", "inbound", "--listen", "127.0.0.1:0",
        "--target", "127.0.0.1:9", "--mode", "disable")) {
      await().atMost(Duration.ofSeconds(60)).until(() -> inbound.output().contains("WARNING") || !inbound.isAlive());
      assertThat(inbound.output()).contains("  WARNING   listener inbound: mode disable: plaintext, no mTLS and no"
          + " authorization; whoever reaches this port reaches 127.0.0.1:9\n");
    }
    try (Proc outbound = Proc.trustmesh(tmp, "proxy", "outbound", "--listen", "127.0.0.1:0",
        "--target", "127.0.0.1:9", "--tls", "disable")) {
      await().atMost(Duration.ofSeconds(60)).until(() -> outbound.output().contains("WARNING") || !outbound.isAlive());
      assertThat(outbound.output()).contains("  WARNING   outbound outbound: tls disable: plaintext to 127.0.0.1:9,"
          + " the server is not authenticated and the traffic is not encrypted\n");
    }
  }

  @Test
  void aServerWithTheSelfSignedDefaultUpstreamSaysSo() throws Exception {
    try (Proc server = Proc.trustmesh(tmp, "server", "--trust-domain", "example.org", "--data-dir", tmp.resolve("srv"),
        "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--key-manager", "memory",
        "--admin-socket", tmp.resolve("admin.sock"))) {
      await().atMost(Duration.ofSeconds(90)).until(() -> server.output().contains("upstream self-signed")
          || !server.isAlive());
      assertThat(server.output()).contains("trustmesh: WARNING: upstream self-signed: this server's root CA was made"
          + " by the server itself and is trusted by nothing else; for production give --upstream-cert and"
          + " --upstream-key (an intermediate from 'trustmesh ca')\n");
    }
  }
}
