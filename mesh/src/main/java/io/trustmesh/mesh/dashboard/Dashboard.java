package io.trustmesh.mesh.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The mesh dashboard: a read-only web page on loopback with the trust hierarchy and its expiries,
 * the live graph of edges between services, and each port's effective mode, backed by a JSON API
 * under {@code /api/} ({@code docs/dashboard.md}). Plain HTML, CSS and JavaScript from this jar;
 * nothing is fetched from elsewhere.
 *
 * <pre>{@code
 * try (Dashboard d = Dashboard.start(Path.of(".trustmesh"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
 *   System.out.println("dashboard: " + d.url());
 * }
 * }</pre>
 *
 * <p>What it defends: it has no authentication, so it binds to loopback only and answers only
 * requests whose {@code Host} is this loopback address (a web page elsewhere cannot reach it by DNS
 * rebinding); it accepts GET and HEAD only (405 otherwise); every answer carries a strict
 * Content-Security-Policy (scripts and styles from this origin only, no inline code, no framing),
 * and the page writes data with {@code textContent}, never as markup, because SPIFFE IDs and
 * reasons in the access logs come from peers. It never reads a private key.
 */
public final class Dashboard implements AutoCloseable {
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A browser tab or two and a script: two workers, a short queue; past that the dispatcher serves. */
  private static final int WORKERS = 2;
  private static final int QUEUE = 32;

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final URI url;

  private Dashboard(HttpServer server, ThreadPoolExecutor executor, URI url) {
    this.server = server;
    this.executor = executor;
    this.url = url;
  }

  /** As {@link #start(Path, InetSocketAddress, Clock)} with the system clock. */
  public static Dashboard start(Path stateDir, InetSocketAddress bindLoopback) {
    return start(stateDir, bindLoopback, Clock.systemUTC());
  }

  /**
   * Serves the dashboard of the mesh whose state is in {@code stateDir} (read on every request, so
   * it may start before the mesh and outlive a restart).
   *
   * @param bindLoopback a loopback address; port 0 picks a free one
   * @throws BadInputException when the address is not loopback or cannot be bound
   */
  public static Dashboard start(Path stateDir, InetSocketAddress bindLoopback, Clock clock) {
    if (bindLoopback.isUnresolved() || !bindLoopback.getAddress().isLoopbackAddress()) {
      throw new BadInputException("dashboard: " + bindLoopback.getHostString() + " is not a loopback address; the"
          + " dashboard has no login and serves this host only (use 127.0.0.1 or ::1)");
    }
    limitConnectionTimes();
    HttpServer server;
    try {
      server = HttpServer.create(bindLoopback, 16);
    } catch (IOException e) {
      throw new BadInputException("dashboard: cannot listen on " + bindLoopback.getHostString() + ":"
          + bindLoopback.getPort() + ": " + e.getMessage());
    }
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUE), r -> {
          Thread t = new Thread(r, "trustmesh-dashboard-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    InetSocketAddress bound = server.getAddress();
    String host = bound.getAddress().getHostAddress();
    String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
    Set<String> hosts = new HashSet<>(List.of(authority, "localhost:" + bound.getPort()));
    if (bound.getPort() == 80) {
      // a browser leaves the default port out of Host
      hosts.addAll(List.of(authority.substring(0, authority.lastIndexOf(':')), "localhost"));
    }
    DashboardApi api = new DashboardApi(stateDir, clock);
    Set<String> allowedHosts = Set.copyOf(hosts);
    server.createContext("/", ex -> handle(ex, allowedHosts, api));
    server.start();
    return new Dashboard(server, executor, URI.create("http://" + authority + "/"));
  }

  /**
   * The JDK server reads its time limits once, from system properties, when the first server of
   * the process starts; unset, a request may take forever. Set here unless the operator chose.
   */
  private static void limitConnectionTimes() {
    setIfAbsent("sun.net.httpserver.maxReqTime", "10");
    setIfAbsent("sun.net.httpserver.maxRspTime", "30");
    setIfAbsent("sun.net.httpserver.idleInterval", "30");
    setIfAbsent("sun.net.httpserver.maxIdleConnections", "16");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** Where the dashboard answers, e.g. {@code http://127.0.0.1:41234/}. */
  public URI url() {
    return url;
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static void handle(HttpExchange ex, Set<String> hosts, DashboardApi api) throws IOException {
    try (ex) {
      Headers h = ex.getResponseHeaders();
      h.set("Content-Security-Policy", CSP);
      h.set("X-Content-Type-Options", "nosniff");
      h.set("X-Frame-Options", "DENY");
      h.set("Referrer-Policy", "no-referrer");
      h.set("Cross-Origin-Resource-Policy", "same-origin");
      h.set("Cache-Control", "no-store");
      String method = ex.getRequestMethod();
      boolean head = method.equals("HEAD");
      if (!method.equals("GET") && !head) {
        h.set("Allow", "GET, HEAD");
        send(ex, 405, "text/plain; charset=utf-8", "read-only: GET and HEAD only\n", false);
        return;
      }
      String host = Optional.ofNullable(ex.getRequestHeaders().getFirst("Host")).orElse("").toLowerCase(Locale.ROOT);
      if (!hosts.contains(host)) {
        // DNS rebinding: a page from elsewhere that resolves its own name to 127.0.0.1 sends its own Host
        send(ex, 403, "text/plain; charset=utf-8", "unexpected Host header; open " + hosts.stream().sorted()
            .findFirst().orElse("") + "\n", head);
        return;
      }
      String path = ex.getRequestURI().getPath();
      if (path.startsWith("/api/")) {
        api(ex, api, path.substring("/api/".length()), head);
        return;
      }
      Optional<StaticAssets.Asset> asset = StaticAssets.get(path);
      if (asset.isEmpty()) {
        send(ex, 404, "text/plain; charset=utf-8", "not found\n", head);
        return;
      }
      send(ex, 200, asset.get().contentType(), asset.get().bytes(), head);
    } catch (RuntimeException e) {
      // the exchange is closed by try-with-resources; the server keeps serving
    }
  }

  private static void api(HttpExchange ex, DashboardApi api, String name, boolean head) throws IOException {
    Optional<ObjectNode> doc;
    try {
      doc = api.answer(name);
    } catch (BadInputException | UncheckedIOException e) {
      ObjectNode err = JSON.createObjectNode().put("error", e.getMessage());
      send(ex, 503, "application/json", JSON.writeValueAsBytes(err), head);
      return;
    }
    if (doc.isEmpty()) {
      ObjectNode err = JSON.createObjectNode().put("error", "no such API: /api/" + name
          + " (try /api/hierarchy, /api/edges, /api/modes, /api/services)");
      send(ex, 404, "application/json", JSON.writeValueAsBytes(err), head);
      return;
    }
    send(ex, 200, "application/json", JSON.writeValueAsBytes(doc.get()), head);
  }

  private static void send(HttpExchange ex, int status, String type, String body, boolean head) throws IOException {
    send(ex, status, type, body.getBytes(StandardCharsets.UTF_8), head);
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body, boolean head) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    if (head) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
