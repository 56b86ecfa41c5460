package io.trustmesh.mesh.run;

import io.trustmesh.core.BadInputException;
import io.trustmesh.mesh.run.LocalPlan.InboundPort;
import io.trustmesh.mesh.run.LocalPlan.ServicePlan;
import io.trustmesh.mesh.state.MeshState;
import io.trustmesh.mesh.state.StateDirectory;
import io.trustmesh.policy.meshfile.MeshService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A running local mesh: the control plane, every service's sidecars and the services' own
 * processes, started in that order by {@link #start} and stopped in reverse by {@link #close()}.
 * A start that fails stops what it had started and removes the run's state (the lock, sockets,
 * {@code state.json}, keys), keeping only {@code logs/} to read why. {@code state.json} is written
 * last, once every sidecar serves and every started service listens: its presence means "ready".
 */
public final class LocalMesh implements AutoCloseable {
  static final Duration SERVICE_START = Duration.ofSeconds(45);

  private final StateDirectory dir;
  private final LocalPlan plan;
  private final Deque<AutoCloseable> running;
  private final Map<String, ServiceSidecars> sidecars;
  private final Map<String, ServiceProcess> processes;
  private final AutoCloseable lock;
  private MeshState state;
  private boolean closed;

  private LocalMesh(StateDirectory dir, LocalPlan plan, Deque<AutoCloseable> running,
      Map<String, ServiceSidecars> sidecars, Map<String, ServiceProcess> processes, AutoCloseable lock,
      MeshState state) {
    this.dir = dir;
    this.plan = plan;
    this.running = running;
    this.sidecars = sidecars;
    this.processes = processes;
    this.lock = lock;
    this.state = state;
  }

  /**
   * Starts {@code plan} with its state in {@code dir}. Refuses (bad input, exit 2) when a mesh holds
   * the directory's lock; replaces the state a dead mesh left behind.
   *
   * @param commands turns a mesh file's {@code command} into the argv to run (built-in programs)
   * @param progress one line per step, for the person waiting
   */
  public static LocalMesh start(LocalPlan plan, Path meshFile, StateDirectory dir, Commands commands,
      Consumer<String> progress, Clock clock) throws InterruptedException {
    AutoCloseable lock = dir.tryLock().orElseThrow(() -> alreadyRunning(dir));
    Deque<AutoCloseable> running = new ArrayDeque<>();
    try {
      staleState(dir).ifPresent(stale -> progress.accept("removing the state of a mesh that is no longer running ("
          + stale + ")"));
      dir.clearRun();
      dir.clearLogs();
      checkPortsFree(plan);
      long pid = ProcessHandle.current().pid();
      dir.writePid(pid);
      Path logs = dir.logs();

      // The services first: their own start-up (a JVM each, for the built-in ones) overlaps with the
      // control plane's and the sidecars'; until their sidecars listen, their first calls are refused,
      // as when containers of a pod start together.
      Map<String, ServiceProcess> processes = new LinkedHashMap<>();
      Map<String, ServiceSockets> sockets = new LinkedHashMap<>();
      for (ServicePlan s : plan.services()) {
        ServiceSockets ss = ServiceSockets.of(dir, s);
        ss.prepare(dir, s);
        sockets.put(s.service().name(), ss);
      }
      Path workDir = meshFile.toAbsolutePath().getParent();
      for (ServicePlan s : plan.services()) {
        MeshService svc = s.service();
        if (!svc.command().isEmpty()) {
          Map<String, String> vars = sockets.get(svc.name()).variables(s);
          List<String> command = ServiceSockets.substitute(svc.command(), vars);
          List<String> argv = commands.argv(command);
          progress.accept("starting " + svc.name() + ": " + String.join(" ", command));
          Map<String, String> env = environment(s);
          env.putAll(vars);
          ServiceProcess p = ServiceProcess.start(svc.name(), argv, workDir, logs.resolve(svc.name() + ".log"), env);
          processes.put(svc.name(), p);
        }
      }
      // Stopped together (one grace period), after the sidecars that front them.
      running.push(() -> ServiceProcess.stopAll(processes.values()));

      progress.accept("starting the server and the agent for " + plan.mesh().trustDomain().name());
      LocalControlPlane cp = LocalControlPlane.start(plan.mesh(), dir, clock);
      running.push(cp);

      Map<String, ServiceSidecars> sidecars = new LinkedHashMap<>();
      for (ServicePlan s : plan.services()) {
        if (s.meshed() && (!s.inbound().isEmpty() || !s.outbound().isEmpty())) {
          progress.accept("starting the sidecars of " + s.service().name() + " (" + s.service().spiffeId() + ")");
          ServiceSidecars sc = ServiceSidecars.start(s, cp.workloadApi(), logs, sockets.get(s.service().name()), clock);
          running.push(sc);
          sidecars.put(s.service().name(), sc);
        }
      }

      for (ServicePlan s : plan.services()) {
        ServiceProcess p = processes.get(s.service().name());
        if (p == null) {
          continue;
        }
        if (s.meshed()) {
          for (InboundPort port : s.inbound()) {
            p.awaitListening(ServiceSidecars.appAddress(port, sockets.get(s.service().name())), SERVICE_START);
          }
        } else {
          for (var port : s.service().ports()) {
            p.awaitListening(new InetSocketAddress(LocalPlan.LOOPBACK, port.port()), SERVICE_START);
          }
        }
      }

      List<MeshState.Service> services = new ArrayList<>();
      for (ServicePlan s : plan.services()) {
        MeshService svc = s.service();
        ServiceSidecars sc = sidecars.get(svc.name());
        ServiceProcess p = processes.get(svc.name());
        services.add(new MeshState.Service(svc.name(), svc.namespace(),
            svc.sidecar() ? svc.spiffeId().toString() : null, p == null ? null : p.info(),
            sc == null ? List.of() : sc.state()));
      }
      MeshState state = new MeshState(MeshState.VERSION, pid,
          ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(null),
          meshFile.toAbsolutePath().normalize().toString(), plan.mesh().trustDomain().name(),
          clock.instant().toString(), null, cp.caState(), cp.serverState(),
          new MeshState.Agent(cp.workloadApi()), services);
      state.write(dir.path());
      return new LocalMesh(dir, plan, running, sidecars, processes, lock, state);
    } catch (RuntimeException | InterruptedException e) {
      stopAll(running);
      try {
        dir.clearRun();
      } finally {
        StateDirectoryLock.release(lock);
      }
      throw e;
    }
  }

  /** What a dead mesh left, described for the person: its pid, or that its state is unreadable. */
  private static Optional<String> staleState(StateDirectory dir) {
    try {
      return MeshState.read(dir.path()).map(s -> "pid " + s.pid() + " is gone");
    } catch (RuntimeException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static BadInputException alreadyRunning(StateDirectory dir) {
    Optional<MeshState> s = Optional.empty();
    try {
      s = MeshState.read(dir.path());
    } catch (RuntimeException e) {
      // still starting, or unreadable: the lock is what we report
    }
    return new BadInputException("a mesh is already running in " + dir.path()
        + s.map(st -> " (pid " + st.pid() + ", " + st.meshFile() + ", started " + st.started() + ")")
            .orElse(" (starting)")
        + "; see 'trustmesh status --state-dir " + dir.path() + "', stop it with 'trustmesh down --state-dir "
        + dir.path() + "'");
  }

  /** Fails before anything starts when a port of the plan is taken, naming it. */
  static void checkPortsFree(LocalPlan plan) {
    for (int port : plan.localPorts()) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(LocalPlan.LOOPBACK, port));
      } catch (IOException e) {
        throw new BadInputException("port " + port + " on " + LocalPlan.LOOPBACK + " is already in use ("
            + e.getMessage() + "); " + plan.mesh().file() + " needs it: stop what holds it or change the port");
      }
    }
  }

  /** Where the service's upstreams and its chosen ports are, for commands that read the environment. */
  static Map<String, String> environment(ServicePlan s) {
    Map<String, String> env = new LinkedHashMap<>();
    for (InboundPort p : s.inbound()) {
      if (!p.appSocket()) {
        env.put("TRUSTMESH_APP_PORT_" + p.port(), String.valueOf(p.appPort()));
      }
    }
    for (LocalPlan.OutboundPort o : s.outbound()) {
      if (o.localSocket()) {
        continue; // TRUSTMESH_UPSTREAM_SOCKET_<SERVICE> says where
      }
      env.put("TRUSTMESH_UPSTREAM_" + o.upstream().toUpperCase().replace('-', '_'),
          LocalPlan.LOOPBACK + ":" + o.localPort());
    }
    return env;
  }

  public MeshState state() {
    return state;
  }

  public LocalPlan plan() {
    return plan;
  }

  /** Records the dashboard's URL in {@code state.json} (rewritten atomically). */
  public synchronized void dashboard(String url) {
    state = state.withDashboard(url);
    state.write(dir.path());
  }

  /** Not-after of the SVID a service's sidecars present now; empty for a service without sidecars. */
  public Optional<Instant> svidNotAfter(String service) {
    return Optional.ofNullable(sidecars.get(service)).map(ServiceSidecars::svidNotAfter);
  }

  /** Whether the service's process (if {@code up} started one) still runs. */
  public Optional<Boolean> processAlive(String service) {
    return Optional.ofNullable(processes.get(service)).map(ServiceProcess::alive);
  }

  /** Stops services, sidecars, agent and server, removes the state and sockets, releases the lock. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stopAll(running);
    } finally {
      try {
        dir.clearRun();
      } finally {
        StateDirectoryLock.release(lock);
      }
    }
  }

  private static void stopAll(Deque<AutoCloseable> running) {
    RuntimeException first = null;
    while (!running.isEmpty()) {
      try {
        running.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Turns the mesh file's {@code command} into the argv to start. */
  @FunctionalInterface
  public interface Commands {
    List<String> argv(List<String> command);
  }

  /** Releasing the lock never masks the error being reported. */
  private static final class StateDirectoryLock {
    static void release(AutoCloseable lock) {
      try {
        lock.close();
      } catch (Exception e) {
        // the lock goes with the process anyway
      }
    }
  }
}
