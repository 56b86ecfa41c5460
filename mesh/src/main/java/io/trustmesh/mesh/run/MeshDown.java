package io.trustmesh.mesh.run;

import io.trustmesh.mesh.state.MeshState;
import io.trustmesh.mesh.state.StateDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Stops what {@code trustmesh up} started in a state directory. The supervising process gets
 * SIGTERM and stops everything itself (services, sidecars, agent, server; sockets and
 * {@code state.json} removed); whatever survives it (a supervisor killed with SIGKILL leaves its
 * services running) is stopped from the pids in {@code state.json}, each signalled only if it is
 * alive and started at the recorded instant, so a reused pid is never hit. Then the run's state is
 * removed. Idempotent: with nothing running, nothing is done and that is said.
 */
public final class MeshDown {
  static final Duration SUPERVISOR_STOP = Duration.ofSeconds(30);

  private MeshDown() {}

  /** What was done, one line per action. */
  public record Outcome(boolean wasRunning, List<String> actions) {}

  public static Outcome stop(StateDirectory dir) throws InterruptedException {
    Optional<MeshState> state;
    try {
      state = MeshState.read(dir.path());
    } catch (RuntimeException e) {
      state = Optional.empty(); // unreadable: nothing in it can be trusted to name a process
    }
    List<String> actions = new ArrayList<>();
    boolean running = false;
    if (state.isPresent()) {
      MeshState s = state.get();
      Optional<ProcessHandle> supervisor = dir.locked() ? Processes.handle(s.pid(), s.pidStart()) : Optional.empty();
      if (supervisor.isPresent()) {
        running = true;
        ProcessHandle h = supervisor.get();
        h.destroy();
        actions.add("sent SIGTERM to the mesh's supervisor (pid " + s.pid() + ")");
        try {
          h.onExit().get(SUPERVISOR_STOP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          h.destroyForcibly();
          actions.add("the supervisor did not stop within " + SUPERVISOR_STOP.toSeconds() + "s: killed it");
          awaitExit(h);
        }
      }
      List<ProcessHandle> leftBehind = new ArrayList<>();
      for (MeshState.Service svc : s.services()) {
        if (svc.process() == null) {
          continue;
        }
        Optional<ProcessHandle> p = Processes.handle(svc.process().pid(), svc.process().start());
        if (p.isPresent()) {
          leftBehind.add(p.get());
          actions.add("stopping " + svc.name() + " (pid " + svc.process().pid() + "), left behind by its supervisor");
        }
      }
      ServiceProcess.stopAll(leftBehind, ServiceProcess.GRACE);
    }
    Optional<AutoCloseable> lock = dir.tryLock();
    if (lock.isPresent()) {
      try {
        boolean hadState = state.isPresent();
        dir.clearRun();
        if (hadState && !running) {
          actions.add("removed the state of a mesh that was no longer running");
        }
      } finally {
        try {
          lock.get().close();
        } catch (Exception e) {
          // released with the process anyway
        }
      }
    } else {
      actions.add("a mesh is starting in " + dir.path() + " right now; its state was left alone");
    }
    return new Outcome(running, actions);
  }

  private static void awaitExit(ProcessHandle h) throws InterruptedException {
    try {
      h.onExit().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      // SIGKILL was sent; nothing more to do
    }
  }
}
