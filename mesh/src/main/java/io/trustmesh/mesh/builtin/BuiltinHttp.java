package io.trustmesh.mesh.builtin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The little HTTP the built-in programs speak: a JDK {@link HttpServer} that answers JSON, and a
 * client that makes one request per connection (so each call is one line in the sidecars' access
 * logs) and reports the outcome in one line.
 */
final class BuiltinHttp {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private BuiltinHttp() {}

  static {
    // one request per connection: every call is its own connection through the sidecars
    System.setProperty("http.keepAlive", "false");
  }

  static HttpServer serve(InetSocketAddress listen, String path, HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(listen, 256);
    server.createContext(path, handler);
    // Handlers that call an upstream wait for it: on the dispatcher thread one slow call would stall
    // every other request and the accepts behind them.
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "http-" + listen.getPort());
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return server;
  }

  static void reply(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  static void json(HttpExchange ex, int status, String body) throws IOException {
    reply(ex, status, "application/json", body + "\n");
  }

  /** The outcome of one GET: the status (0 when no HTTP answer came) and the body or the error. */
  record Result(int status, String body) {
    boolean ok() {
      return status == 200;
    }
  }

  static Result get(String hostPort, String path) {
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) URI.create("http://" + hostPort + path).toURL().openConnection();
      c.setConnectTimeout((int) TIMEOUT.toMillis());
      c.setReadTimeout((int) TIMEOUT.toMillis());
      int status = c.getResponseCode();
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      return new Result(status, body);
    } catch (IOException e) {
      return new Result(0, e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  /**
   * Calls {@code call} every {@code interval} on a daemon thread, printing one line per call:
   * {@code 2026-11-30T08:00:00Z web -> 127.0.0.1:15001/orders: 200 {...}}.
   */
  static Thread every(Duration interval, String who, String target, Supplier<Result> call, PrintStream out) {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        Result r = call.get();
        out.println(Instant.now() + " " + who + " -> " + target + ": "
            + (r.status() == 0 ? "no answer (" + r.body() + ")" : r.status() + " " + r.body()));
        out.flush();
        try {
          Thread.sleep(interval.toMillis()); // the point of the loop is its pace
        } catch (InterruptedException e) {
          return;
        }
      }
    }, who + "-calls");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
