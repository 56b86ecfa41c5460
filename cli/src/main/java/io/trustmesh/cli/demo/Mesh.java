package io.trustmesh.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.proxy.AllowPolicy;
import io.trustmesh.proxy.InboundListener;
import io.trustmesh.proxy.InboundMode;
import io.trustmesh.proxy.Limits;
import io.trustmesh.proxy.OutboundListener;
import io.trustmesh.proxy.OutboundTls;
import io.trustmesh.proxy.Sidecar;
import io.trustmesh.proxy.SidecarConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Two toy services on loopback, each behind its own trustmesh sidecar: the frontend calls the
 * backend through its outbound sidecar, which carries the call over mutual TLS to the backend's
 * inbound sidecar (PERMISSIVE, allowing only the frontend's SPIFFE ID). A legacy plaintext client
 * then calls the backend's sidecar directly, which a permissive port lets through and records.
 */
public final class Mesh implements AutoCloseable {
  /** What the demo saw. */
  public record Result(String frontendAnswer, String legacyAnswer, List<JsonNode> frontendLog,
      List<JsonNode> backendLog, String tlsEngine, InetSocketAddress backendSidecar) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<AutoCloseable> open = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "demo-app");
    t.setDaemon(true);
    return t;
  });

  public Result run(Path dir, SpiffeId frontendId, SpiffeId backendId) throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    // the backend app, plaintext on loopback
    HttpServer backendApp = HttpServer.create(new InetSocketAddress(lo, 0), 16);
    backendApp.createContext("/", ex -> {
      byte[] body = "hello from backend".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    backendApp.setExecutor(pool);
    backendApp.start();
    open.add(() -> backendApp.stop(0));

    FileX509Source backendSource = FileX509Source.watchDirectory(dir.resolve("backend"), Duration.ofSeconds(30),
        msg -> {});
    open.add(backendSource);
    Path backendLog = dir.resolve("backend-sidecar-access.log");
    Sidecar backendSidecar = Sidecar.start(new SidecarConfig(
        List.of(new InboundListener("backend-in", new InetSocketAddress(lo, 0), backendApp.getAddress(),
            InboundMode.PERMISSIVE, AllowPolicy.builder().id(frontendId).build())),
        List.of(), Optional.empty(), Optional.of(backendLog.toString()), Limits.DEFAULT),
        backendSource, Clock.systemUTC());
    open.add(backendSidecar);
    InetSocketAddress backendIn = backendSidecar.address("backend-in");

    FileX509Source frontendSource = FileX509Source.watchDirectory(dir.resolve("frontend"), Duration.ofSeconds(30),
        msg -> {});
    open.add(frontendSource);
    Path frontendLog = dir.resolve("frontend-sidecar-access.log");
    Sidecar frontendSidecar = Sidecar.start(new SidecarConfig(List.of(),
        List.of(new OutboundListener("to-backend", new InetSocketAddress(lo, 0), "127.0.0.1", backendIn.getPort(),
            OutboundTls.MUTUAL, Optional.of(backendId), Optional.empty(), Optional.empty(), List.of())),
        Optional.empty(), Optional.of(frontendLog.toString()), Limits.DEFAULT), frontendSource, Clock.systemUTC());
    open.add(frontendSidecar);
    int outPort = frontendSidecar.address("to-backend").getPort();

    // the frontend app calls the backend through its sidecar, in plaintext, as if nothing changed
    HttpServer frontendApp = HttpServer.create(new InetSocketAddress(lo, 0), 16);
    frontendApp.createContext("/", ex -> {
      String answer = get("http://127.0.0.1:" + outPort + "/");
      byte[] body = ("frontend got \"" + answer + "\"").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    frontendApp.setExecutor(pool);
    frontendApp.start();
    open.add(() -> frontendApp.stop(0));

    String viaMesh = get("http://127.0.0.1:" + frontendApp.getAddress().getPort() + "/");
    String legacy = get("http://127.0.0.1:" + backendIn.getPort() + "/");
    List<JsonNode> fl = awaitEntries(frontendLog, 1);
    List<JsonNode> bl = awaitEntries(backendLog, 2);
    return new Result(viaMesh, legacy, fl, bl, backendSidecar.engine().describe(), backendIn);
  }

  /**
   * One HTTP/1.1 GET on its own socket, closed as soon as the answer is read. (HttpURLConnection
   * would park the socket in the JDK's keep-alive cache for seconds; the sidecars rightly keep the
   * connection open until the client closes it, and log it only then.)
   */
  private static String get(String url) throws IOException {
    URI uri = URI.create(url);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int body = response.indexOf("\r\n\r\n");
      if (!response.startsWith("HTTP/1.1 200") || body < 0) {
        throw new IOException("unexpected answer from " + url + ": " + response.lines().findFirst().orElse(""));
      }
      return response.substring(body + 4);
    }
  }

  /** The sidecars write an entry when a connection ends; wait (bounded) for the expected ones. */
  private static List<JsonNode> awaitEntries(Path file, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<JsonNode> entries = List.of();
    while (System.nanoTime() < deadline) {
      entries = read(file);
      if (entries.size() >= count) {
        return entries;
      }
      Thread.sleep(20);
    }
    return entries;
  }

  private static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          out.add(JSON.readTree(line));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        // shutting the demo down anyway
      }
    }
    pool.shutdownNow();
  }
}
