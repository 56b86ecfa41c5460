package io.trustmesh.mesh.builtin;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The small programs of the quick-start mesh, shipped in the jar ({@code trustmesh builtin NAME}; a
 * mesh file names them {@code trustmesh-builtin NAME}). None of them knows about TLS: the sidecars
 * carry their plaintext HTTP over mutual TLS. Every address is {@code HOST:PORT} or {@code unix:/path}:
 * on a unix socket (0600, in a directory only this user can write) no other local user can reach the
 * app behind its inbound sidecar, nor borrow its identity through its outbound one.
 *
 * <ul>
 *   <li>{@code web --listen A --api B}: a front page on A; calls the API's {@code /orders} at B (its
 *       outbound sidecar) for every page and every {@code --interval}.
 *   <li>{@code api --listen A --payments B}: {@code /orders} calls payments' {@code /charge} at B.
 *   <li>{@code payments --listen A --metrics M}: answers {@code /charge}; Prometheus text on M.
 *   <li>{@code legacy-client --target T} and {@code intruder --target T}: GET T every interval and
 *       print what came back (the first in plaintext to a PERMISSIVE port, the second through its
 *       sidecar to a service that does not allow it: it is refused).
 * </ul>
 */
public final class Builtin implements AutoCloseable {
  public static final List<String> NAMES = List.of("web", "api", "payments", "legacy-client", "intruder");
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

  /** The command line of a built-in program. */
  public record Options(Optional<String> listen, Optional<String> api, Optional<String> payments,
      Optional<String> metrics, Optional<String> target, Duration interval) {}

  private final List<BuiltinHttp.Server> servers;
  private final List<Thread> loops;

  private Builtin(List<BuiltinHttp.Server> servers, List<Thread> loops) {
    this.servers = servers;
    this.loops = loops;
  }

  /** Starts the program {@code name}; it runs until {@link #close()}. */
  public static Builtin start(String name, Options o, PrintStream out) throws IOException {
    List<BuiltinHttp.Server> servers = new ArrayList<>();
    List<Thread> loops = new ArrayList<>();
    AtomicLong served = new AtomicLong();
    switch (name) {
      case "web" -> {
        String api = need(o.api(), "--api", name);
        servers.add(BuiltinHttp.serve(need(o.listen(), "--listen", name), path -> {
          served.incrementAndGet();
          BuiltinHttp.Result r = BuiltinHttp.get(api, "/orders");
          return new BuiltinHttp.Reply(r.ok() ? 200 : 502, "text/html; charset=utf-8",
              "<!doctype html><title>shop</title><h1>shop</h1><p>orders from the API: " + escape(r.body()) + "</p>\n");
        }));
        loops.add(BuiltinHttp.every(o.interval(), "web", api + "/orders", () -> BuiltinHttp.get(api, "/orders"), out));
      }
      case "api" -> {
        String payments = need(o.payments(), "--payments", name);
        servers.add(BuiltinHttp.serve(need(o.listen(), "--listen", name), path -> {
          served.incrementAndGet();
          if (path.startsWith("/orders")) {
            BuiltinHttp.Result r = BuiltinHttp.get(payments, "/charge");
            return BuiltinHttp.Reply.json(r.ok() ? 200 : 502, "{\"service\":\"api\",\"orders\":[{\"id\":1,\"total\":42}],"
                + "\"payments\":" + (r.ok() ? r.body() : "null") + "}");
          }
          return BuiltinHttp.Reply.json(200, "{\"service\":\"api\",\"served\":" + served.get() + "}");
        }));
      }
      case "payments" -> {
        servers.add(BuiltinHttp.serve(need(o.listen(), "--listen", name), path -> {
          served.incrementAndGet();
          return BuiltinHttp.Reply.json(200, "{\"service\":\"payments\",\"charged\":true}");
        }));
        servers.add(BuiltinHttp.serve(need(o.metrics(), "--metrics", name), path ->
            new BuiltinHttp.Reply(200, "text/plain; version=0.0.4", "# TYPE payments_requests_total counter\n"
                + "payments_requests_total " + served.get() + "\n")));
      }
      case "legacy-client", "intruder" -> {
        String target = need(o.target(), "--target", name);
        loops.add(BuiltinHttp.every(o.interval(), name, target + "/", () -> BuiltinHttp.get(target, "/"), out));
      }
      default -> throw new BadInputException("no built-in program '" + name + "' (there are: "
          + String.join(", ", NAMES) + ")");
    }
    servers.forEach(s -> out.println(name + " listening on " + s.address()));
    out.flush();
    return new Builtin(servers, loops);
  }

  private static String need(Optional<String> value, String option, String program) {
    return value.orElseThrow(() -> new BadInputException("builtin " + program + " needs " + option));
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new BadInputException("not HOST:PORT: " + hostPort);
    }
    try {
      return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("not HOST:PORT: " + hostPort);
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public void close() {
    loops.forEach(Thread::interrupt);
    for (BuiltinHttp.Server s : servers) {
      try {
        s.stop().close();
      } catch (Exception e) {
        // stopping a server has nothing to report
      }
    }
  }
}
