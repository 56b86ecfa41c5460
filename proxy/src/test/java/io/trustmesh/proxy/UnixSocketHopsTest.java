package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.api.uds.SocketDirectory;
import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two plaintext hops between an app and its sidecars on unix sockets: app → outbound listener
 * ({@code unix:DIR/api.sock}, 0600) and inbound → app ({@code unix:DIR/app.sock}). The directories are
 * 0755 here on purpose, so that the socket's own mode is what keeps uid 65534 out of the outbound
 * listener (which would otherwise lend it the frontend's SPIFFE ID).
 */
class UnixSocketHopsTest {
  static final int NOBODY = 65534;
  @TempDir static Path tmp;
  static Pki pki;
  static SpiffeId backend;
  static FileX509Source serverSource;
  static FileX509Source clientSource;
  static Sidecar inbound;
  static Sidecar outbound;
  static ServerSocketChannel app;
  static Thread appThread;
  static Path appSocket;
  static Path outSocket;

  @BeforeAll
  static void start() throws Exception {
    pki = Pki.create("example.org");
    backend = pki.id("ns", "prod", "sa", "backend");
    SpiffeId frontend = pki.id("ns", "prod", "sa", "frontend");
    pki.writeForTools(pki.svid(backend, "localhost"), tmp.resolve("certs/server"));
    pki.writeForTools(pki.svid(frontend), tmp.resolve("certs/client"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    appSocket = Files.createDirectory(tmp.resolve("app")).resolve("app.sock");
    outSocket = Files.createDirectory(tmp.resolve("web")).resolve("api.sock");
    app = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    app.bind(UnixDomainSocketAddress.of(appSocket));
    appThread = new Thread(UnixSocketHopsTest::serveApp, "unix-app");
    appThread.setDaemon(true);
    appThread.start();

    serverSource = TestSidecars.source(tmp.resolve("certs/server"));
    clientSource = TestSidecars.source(tmp.resolve("certs/client"));
    InboundListener in = new InboundListener("api", TestSidecars.any(), Addresses.endpoint("unix:" + appSocket,
        "target"), InboundMode.STRICT, AllowPolicy.builder().id(frontend).build());
    inbound = TestSidecars.start(TestSidecars.config(List.of(in), List.of(), tmp.resolve("in.log"), Limits.DEFAULT),
        serverSource);
    OutboundListener out = new OutboundListener("to-api", Addresses.outboundListen("unix:" + outSocket, "listen"),
        "127.0.0.1", inbound.address("api").getPort(), OutboundTls.MUTUAL, Optional.of(backend), Optional.empty(),
        Optional.empty(), List.of());
    outbound = TestSidecars.start(TestSidecars.config(List.of(), List.of(out), tmp.resolve("out.log"),
        Limits.DEFAULT), clientSource);
  }

  /** A one-answer HTTP server on the app's unix socket: reads the request head, answers "pong". */
  static void serveApp() {
    while (app.isOpen()) {
      try (SocketChannel c = app.accept()) {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        StringBuilder head = new StringBuilder();
        while (!head.toString().contains("\r\n\r\n") && c.read(buf) > 0) {
          buf.flip();
          head.append(StandardCharsets.ISO_8859_1.decode(buf));
          buf.clear();
        }
        c.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\npong"
            .getBytes(StandardCharsets.US_ASCII)));
      } catch (IOException e) {
        // closed at the end of the class, or a client that went away
      }
    }
  }

  @AfterAll
  static void stop() throws IOException {
    TestSidecars.stop(outbound, clientSource);
    TestSidecars.stop(inbound, serverSource);
    if (app != null) {
      app.close();
    }
  }

  static void requireRoot() {
    boolean root = SocketDirectory.currentUid() == 0;
    if (!root && System.getenv("CI") != null) {
      fail("this test acts as uid 65534 and must run as root in CI");
    }
    assumeTrue(root, "acting as another uid needs root");
  }

  static Peers.Result curl(Path socket, String... asUser) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(asUser));
    cmd.addAll(List.of("curl", "-sS", "--max-time", "10", "--unix-socket", socket.toString(), "http://api/"));
    return Peers.run(cmd);
  }

  @Test
  void theOwnerReachesTheAppThroughBothSidecarsAndTheLogsNameTheSocket() throws Exception {
    Peers.Result r = curl(outSocket);
    assertThat(r.stdout()).as(r.stderr()).isEqualTo("pong");
    Path real = outSocket.toRealPath();
    await().atMost(Duration.ofSeconds(10)).until(() -> !AccessLogFile.read(tmp.resolve("out.log")).isEmpty()
        && !AccessLogFile.read(tmp.resolve("in.log")).isEmpty());
    JsonNode out = AccessLogFile.read(tmp.resolve("out.log")).get(0);
    assertThat(out.path("peer_address").asText()).isEqualTo("unix:" + real);
    assertThat(out.path("result").asText()).isEqualTo("ok");
    JsonNode in = AccessLogFile.read(tmp.resolve("in.log")).get(0);
    assertThat(in.path("peer_spiffe_id").asText()).isEqualTo("spiffe://example.org/ns/prod/sa/frontend");
    assertThat(in.path("result").asText()).isEqualTo("ok");
    assertThat(outbound.socket("to-api")).contains(real);
  }

  @Test
  void theOutboundSocketIsTheOwnersOnly() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outSocket, LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rw-------");
    assertThat((Integer) Files.getAttribute(outSocket, "unix:uid", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(SocketDirectory.currentUid());
    try (var files = Files.list(outSocket.getParent())) {
      assertThat(files).as("no private bind directory left behind").containsExactly(outSocket);
    }
  }

  @Test
  void anotherUserCannotBorrowTheIdentityThroughTheOutboundSocket() throws Exception {
    requireRoot();
    String[] nobody = {"setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"};
    // the path is reachable for uid 65534 (0755 directories): what refuses it is the socket's own mode
    Peers.Result sees = Peers.run(List.of(nobody[0], nobody[1], nobody[2], nobody[3], nobody[4], "test", "-S",
        outSocket.toString()));
    assertThat(sees.exit()).as("uid 65534 sees the socket").isZero();
    Peers.Result r = curl(outSocket, nobody);
    assertThat(r.exit()).as(r.stdout() + r.stderr()).isEqualTo(7); // curl: could not connect
    assertThat(r.stdout()).doesNotContain("pong");
    Peers.Result py = Peers.run(List.of(nobody[0], nobody[1], nobody[2], nobody[3], nobody[4], "/usr/bin/python3", "-c",
        "import socket,sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])", outSocket.toString()));
    assertThat(py.stderr()).contains("PermissionError");
  }

  @Test
  void aTargetSocketInADirectoryOthersMayWriteIsRefusedAtStart() throws Exception {
    Path open = Files.createDirectory(tmp.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    InboundListener in = new InboundListener("api", TestSidecars.any(), Addresses.endpoint("unix:" + open
        + "/app.sock", "target"), InboundMode.STRICT, AllowPolicy.builder().id(backend).build());
    assertThatThrownBy(() -> TestSidecars.start(TestSidecars.config(List.of(in), List.of(), tmp.resolve("x.log"),
        Limits.DEFAULT), serverSource))
        .isInstanceOf(BadInputException.class)
        .hasMessage("listener api: target unix:" + open + "/app.sock: socket directory " + open.toRealPath()
            + " is writable by group or others (owner uid " + SocketDirectory.currentUid()
            + ", mode 0777): a socket needs a directory only its owner can write");
  }

  @Test
  void aFileOfSomeoneElseAtTheListenPathIsRefusedAndKept() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("taken"));
    Path file = Files.writeString(dir.resolve("api.sock"), "not yours");
    OutboundListener out = new OutboundListener("to-api", Addresses.outboundListen("unix:" + file, "listen"),
        "127.0.0.1", 1, OutboundTls.DISABLE, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    assertThatThrownBy(() -> Sidecar.start(TestSidecars.config(List.of(), List.of(out), tmp.resolve("y.log"),
        Limits.DEFAULT), null, java.time.Clock.systemUTC()))
        .isInstanceOf(BadInputException.class)
        .hasMessage(file.toRealPath() + " exists and is not a socket; remove it or choose another listen address"
            + " of to-api");
    assertThat(Files.readString(file)).isEqualTo("not yours");
  }
}
