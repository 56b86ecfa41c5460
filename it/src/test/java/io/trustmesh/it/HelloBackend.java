package io.trustmesh.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The application behind a sidecar in the process tests: an HTTP server on an ephemeral loopback
 * port that answers every request with {@link #BODY}, so a test can tell a relayed answer from a
 * refusal by the body alone. Close it in a finally block, {@code @AfterEach} or {@code @AfterAll}.
 */
final class HelloBackend implements AutoCloseable {
  static final String BODY = "hello from backend\n";
  private final HttpServer server;

  private HelloBackend(HttpServer server) {
    this.server = server;
  }

  static HelloBackend start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", ex -> {
      byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    return new HelloBackend(server);
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** {@code 127.0.0.1:PORT}, as a sidecar's {@code --target} takes it. */
  String target() {
    return "127.0.0.1:" + port();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
