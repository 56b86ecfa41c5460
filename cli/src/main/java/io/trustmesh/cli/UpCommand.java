package io.trustmesh.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.trustmesh.core.BadInputException;
import io.trustmesh.mesh.dashboard.Dashboard;
import io.trustmesh.mesh.run.LocalMesh;
import io.trustmesh.mesh.run.LocalPlan;
import io.trustmesh.mesh.run.MeshStatus;
import io.trustmesh.mesh.run.TrafficCounts;
import io.trustmesh.mesh.state.MeshState;
import io.trustmesh.mesh.state.StateDirectory;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshFileLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Run a whole zero-trust mesh on this machine from one mesh file (docs/mesh-file.md): a CA hierarchy,",
      "the server (SQLite), an agent, a registration entry per service, each service's inbound and outbound",
      "sidecars with the file's modes, allow lists and upstreams, and the services themselves when the file",
      "gives their command. State, sockets and logs go to --state-dir (0700). Prints a status table",
      "(refreshed in place on a terminal); Ctrl-C stops everything and removes the state.",
      "",
      "Without FILE: the quick-start mesh, examples/quickstart/trustmesh.yaml (a web front, an API, payments,",
      "a plaintext legacy client and a caller that is denied). A mesh file's command starting with",
      "'trustmesh-builtin' runs the programs shipped in this jar ('trustmesh builtin --help').",
      "",
      "Examples:",
      "  trustmesh up                                   # the quick-start mesh, until Ctrl-C",
      "  trustmesh up my-mesh.yaml --detach             # return once everything is ready",
      "  trustmesh status                               # exit 0 when it runs and is healthy",
      "  curl http://127.0.0.1:15001/orders             # the web's outbound sidecar -> api, over mTLS",
      "  trustmesh down                                 # stop what 'up --detach' started",
      "",
      "Exit codes: 0 stopped cleanly (or, with --detach, started); 1 failed; 2 bad mesh file, a port in use,",
      "or a mesh already running in --state-dir."
    })
final class UpCommand implements Callable<Integer> {
  static final Path DEFAULT_FILE = Path.of("examples", "quickstart", "trustmesh.yaml");
  static final Duration REFRESH = Duration.ofSeconds(2);
  static final Duration PLAIN_REFRESH = Duration.ofSeconds(30);
  static final Duration DETACH_TIMEOUT = Duration.ofMinutes(3);
  static final String SUPERVISOR_LOG = "up.log";

  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
      description = "The mesh file (default: " + "examples/quickstart/trustmesh.yaml" + ").")
  Path file;

  @Option(names = "--state-dir", defaultValue = ".trustmesh", paramLabel = "DIR",
      description = "State, sockets and logs (default: ./${DEFAULT-VALUE}; created 0700).")
  Path stateDir;

  @Option(names = "--detach", description = "Start the mesh in the background and return once it is ready.")
  boolean detach;

  @Option(names = "--dashboard-port", defaultValue = "0", paramLabel = "PORT",
      description = "Serve the read-only dashboard on 127.0.0.1:PORT (default: a free port, printed at start; "
          + "-1: no dashboard).")
  int dashboardPort;

  /** The background supervisor that {@code --detach} starts: no table, output to DIR/up.log. */
  @Option(names = "--supervise", hidden = true)
  boolean supervise;

  @Override
  public Integer call() throws Exception {
    Path meshFile = file != null ? file : DEFAULT_FILE;
    if (file == null && !Files.isRegularFile(DEFAULT_FILE)) {
      throw new BadInputException("no mesh file given and the quick-start's " + DEFAULT_FILE + " is not under "
          + Path.of("").toAbsolutePath() + ": run './trustmesh up' from the trustmesh source tree, or give FILE");
    }
    MeshFile mesh = MeshFileLoader.load(meshFile);
    LocalPlan plan = LocalPlan.of(mesh, UpCommand::freePort);
    StateDirectory dir = StateDirectory.create(stateDir);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (detach) {
      return detach(meshFile, dir, out, err);
    }
    // The table owns the terminal: only errors are logged there; the detached supervisor logs warnings to up.log.
    quiet(supervise ? Level.WARN : Level.ERROR);
    Termination termination = Termination.install(Thread.currentThread());
    // A signal during the start interrupts it (the start then stops what it had started).
    termination.started();
    Thread starter = Thread.currentThread();
    Thread watcher = new Thread(() -> {
      try {
        termination.await();
        starter.interrupt();
      } catch (InterruptedException e) {
        // the mesh started; the main thread waits for the signal itself
      }
    }, "up-start-watch");
    watcher.setDaemon(true);
    watcher.start();
    LocalMesh running;
    try {
      running = LocalMesh.start(plan, meshFile, dir, SelfCommand::meshCommand,
          line -> {
            err.println("trustmesh: " + line);
            err.flush();
          }, Clock.systemUTC());
    } catch (InterruptedException e) {
      err.println("trustmesh: stopped during the start; nothing was left running");
      return Main.FAILED;
    } finally {
      watcher.interrupt();
    }
    Thread.interrupted(); // a signal that raced the end of the start is seen by await() below
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "up-shutdown")); // SIGHUP and the like
    try (running; Dashboard dashboard = startDashboard(dir, running)) {
      summary(running.state(), dir, out, supervise);
      Thread table = supervise ? null : table(running, dir, out);
      String signal = termination.await();
      if (table != null) {
        table.interrupt();
        table.join(TimeUnit.SECONDS.toMillis(5));
      }
      err.println("trustmesh: " + signal + ": stopping the mesh");
      err.flush();
    }
    err.println("trustmesh: stopped; no process, socket or state left in " + dir.path() + " (logs kept in "
        + dir.path().resolve("logs") + ")");
    err.flush();
    return Main.OK;
  }

  /** The sidecars log each refusal at INFO (LogConfigurator); the access logs hold them for the table. */
  private static void quiet(Level level) {
    Logging.daemon(Optional.of(level.toString()));
    if (System.getenv("TRUSTMESH_PROXY_LOG_LEVEL") == null) {
      for (String name : List.of("io.trustmesh.proxy", "io.trustmesh.api")) {
        ((Logger) LoggerFactory.getLogger(name)).setLevel(level);
      }
    }
  }

  /** The status table: redrawn in place on a terminal, printed every so often otherwise. */
  private static Thread table(LocalMesh mesh, StateDirectory dir, PrintWriter out) {
    boolean tty = System.console() != null;
    TrafficCounts counts = MeshStatus.countsOf(mesh.state());
    Thread t = new Thread(() -> {
      int drawn = 0;
      while (!Thread.currentThread().isInterrupted()) {
        List<String> lines = new ArrayList<>(MeshStatus.probe(mesh.state(), true, counts, Clock.systemUTC()).table());
        synchronized (out) {
          if (tty && drawn > 0) {
            out.print("\033[" + drawn + "F\033[J"); // back to the table's first line, clear below
          } else if (!tty) {
            out.println("-- " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
          }
          lines.forEach(out::println);
          out.flush();
        }
        drawn = lines.size();
        try {
          Thread.sleep((tty ? REFRESH : PLAIN_REFRESH).toMillis()); // the refresh pace of the table
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "up-table");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The dashboard on loopback, its URL recorded in {@code state.json}; closed before the mesh. */
  private Dashboard startDashboard(StateDirectory dir, LocalMesh running) {
    if (dashboardPort < 0) {
      return null;
    }
    Dashboard d = Dashboard.start(dir.path(), new InetSocketAddress(InetAddress.getLoopbackAddress(), dashboardPort));
    running.dashboard(d.url().toString());
    return d;
  }

  static void summary(MeshState s, StateDirectory dir, PrintWriter out, boolean detached) {
    out.println("trustmesh: mesh " + s.trustDomain() + " is up (" + s.services().size() + " services, supervisor pid "
        + s.pid() + ")");
    out.println("  state      " + dir.path().resolve(MeshState.FILE));
    out.println("  logs       " + dir.path().resolve("logs"));
    out.println("  server     " + s.server().address() + ", admin socket " + s.server().adminSocket());
    out.println("  agent      " + s.agent().workloadApi());
    if (s.dashboard() != null) {
      out.println("  dashboard  " + s.dashboard());
    }
    for (MeshState.Service svc : s.services()) {
      StringBuilder b = new StringBuilder();
      for (MeshState.Sidecar sc : svc.sidecars()) {
        b.append(sc.kind().equals(MeshState.Sidecar.INBOUND)
            ? "  :" + sc.port() + " " + sc.mode() + " -> " + sc.target()
            : "  " + (sc.listen() != null ? sc.listen() : "127.0.0.1:" + sc.port()) + " -> " + sc.upstream() + " ("
                + sc.tls() + ")");
      }
      out.println(String.format("  %-14s %s%s", svc.name(),
          svc.spiffeId() == null ? "(no sidecar, plaintext)" : svc.spiffeId(), b));
    }
    out.println(detached ? "  stop with  trustmesh down --state-dir " + dir.path() : "  stop with  Ctrl-C");
    out.flush();
  }

  /**
   * Starts this same command as a background supervisor in its own session (so that closing the
   * terminal does not stop it) and waits until it has written {@code state.json}; on failure prints
   * the supervisor's own error lines and returns its exit code (it has already cleaned up).
   */
  private int detach(Path meshFile, StateDirectory dir, PrintWriter out, PrintWriter err) throws Exception {
    if (dir.locked()) {
      throw new BadInputException("a mesh is already running in " + dir.path()
          + MeshState.read(dir.path()).map(s -> " (pid " + s.pid() + ", " + s.meshFile() + ")").orElse(" (starting)")
          + "; see 'trustmesh status --state-dir " + dir.path() + "', stop it with 'trustmesh down --state-dir "
          + dir.path() + "'");
    }
    List<String> argv = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      argv.add("/usr/bin/setsid");
    }
    argv.addAll(SelfCommand.java(List.of(), "up", meshFile.toAbsolutePath().toString(), "--state-dir",
        dir.path().toString(), "--dashboard-port", Integer.toString(dashboardPort), "--supervise"));
    Path log = dir.path().resolve(SUPERVISOR_LOG);
    Files.deleteIfExists(log);
    Process child = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    Instant deadline = Instant.now().plus(DETACH_TIMEOUT);
    while (true) {
      Optional<MeshState> s = readQuietly(dir);
      if (s.isPresent() && s.get().pid() == child.pid()) {
        summary(s.get(), dir, out, true);
        out.println("  supervisor log " + log);
        out.flush();
        return Main.OK;
      }
      if (child.waitFor(200, TimeUnit.MILLISECONDS)) {
        for (String line : supervisorErrors(log)) {
          err.println(line);
        }
        err.flush();
        return child.exitValue() == 0 ? Main.FAILED : child.exitValue();
      }
      if (Instant.now().isAfter(deadline)) {
        child.destroy(); // SIGTERM: the supervisor stops what it started
        child.waitFor(60, TimeUnit.SECONDS);
        throw new IllegalStateException("the mesh was not ready after " + DETACH_TIMEOUT.toMinutes()
            + " minutes; see " + log);
      }
    }
  }

  private static Optional<MeshState> readQuietly(StateDirectory dir) {
    try {
      return MeshState.read(dir.path());
    } catch (RuntimeException e) {
      return Optional.empty(); // being written
    }
  }

  /** The supervisor's "trustmesh: ..." lines that say why it stopped (its progress lines are not repeated). */
  private static List<String> supervisorErrors(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> errors = lines.stream().filter(l -> l.startsWith("trustmesh: ") && !l.startsWith("trustmesh: starting")
          && !l.startsWith("trustmesh: removing")).toList();
      return errors.isEmpty() ? lines : errors;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + log + ": " + e.getMessage(), e);
    }
  }

  /** A port the kernel says is free now, for what the mesh file leaves to {@code up}. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port: " + e.getMessage(), e);
    }
  }
}
