package io.trustmesh.mesh.builtin;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The little HTTP the built-in programs speak: a server that answers JSON, on {@code HOST:PORT}
 * (the JDK's {@link HttpServer}) or {@code unix:/path} ({@link UnixHttp}), and a client that makes
 * one request per connection (so each call is one line in the sidecars' access logs) and reports
 * the outcome in one line.
 */
final class BuiltinHttp {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final String UNIX = "unix:";

  private BuiltinHttp() {}

  static {
    // one request per connection: every call is its own connection through the sidecars
    System.setProperty("http.keepAlive", "false");
  }

  /** What a handler answers. */
  record Reply(int status, String contentType, String body) {
    static Reply json(int status, String body) {
      return new Reply(status, "application/json", body + "\n");
    }
  }

  /** Answers a GET of {@code path}. */
  @FunctionalInterface
  interface Handler {
    Reply handle(String path);
  }

  /** A running server and where it listens, in words. */
  record Server(AutoCloseable stop, String address) {}

  /** Serves {@code handler} on {@code address}: {@code HOST:PORT} or {@code unix:/path}. */
  static Server serve(String address, Handler handler) throws IOException {
    if (address.startsWith(UNIX)) {
      UnixHttp s = UnixHttp.serve(Path.of(address.substring(UNIX.length())), handler);
      return new Server(s, UNIX + s.path());
    }
    InetSocketAddress listen = Builtin.address(address);
    HttpServer server = HttpServer.create(listen, 256);
    server.createContext("/", ex -> {
      Reply r = handler.handle(ex.getRequestURI().getPath());
      byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", r.contentType());
      ex.sendResponseHeaders(r.status(), bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    });
    // Handlers that call an upstream wait for it: on the dispatcher thread one slow call would stall
    // every other request and the accepts behind them.
    ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "http-" + listen.getPort());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.start();
    return new Server(() -> {
      server.stop(0);
      pool.shutdownNow();
    }, server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort());
  }

  /** The outcome of one GET: the status (0 when no HTTP answer came) and the body or the error. */
  record Result(int status, String body) {
    boolean ok() {
      return status == 200;
    }
  }

  /** One GET of {@code path} at {@code target}: {@code HOST:PORT} or {@code unix:/path}. */
  static Result get(String target, String path) {
    if (target.startsWith(UNIX)) {
      try {
        return UnixHttp.get(Path.of(target.substring(UNIX.length())), path);
      } catch (IOException | RuntimeException e) {
        return new Result(0, e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) URI.create("http://" + target + path).toURL().openConnection();
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
