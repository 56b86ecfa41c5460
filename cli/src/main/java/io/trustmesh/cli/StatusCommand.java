package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.mesh.run.MeshStatus;
import io.trustmesh.mesh.state.MeshState;
import io.trustmesh.mesh.state.StateDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Show the mesh that 'trustmesh up' runs from --state-dir: per service its SPIFFE ID, ports and modes,",
      "the time left on the SVID its sidecars present, and the connections counted in their access logs",
      "(admitted over mTLS, admitted in plaintext, denied). Each sidecar's /ready and each service process",
      "(same pid and start time as recorded) is checked.",
      "",
      "Examples:",
      "  trustmesh status",
      "  trustmesh status --state-dir /tmp/mesh --output json | jq '.services[] | {name, connections}'",
      "",
      "Exit codes: 0 running and healthy; 1 not running, or a part of it is down; 2 bad input."
    })
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--state-dir", defaultValue = ".trustmesh", paramLabel = "DIR",
      description = "Where 'trustmesh up' keeps its state (default: ./${DEFAULT-VALUE}).")
  Path stateDir;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Optional<StateDirectory> dir = StateDirectory.existing(stateDir);
    Optional<MeshState> state = dir.isEmpty() ? Optional.empty() : MeshState.read(dir.get().path());
    Path where = stateDir.toAbsolutePath().normalize();
    if (state.isEmpty()) {
      boolean starting = dir.isPresent() && dir.get().locked();
      return notRunning(out, where, starting ? "a mesh is starting in " + where : "no mesh is running in " + where);
    }
    MeshState s = state.get();
    boolean alive = dir.get().locked() && ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false);
    if (!alive) {
      return notRunning(out, where, "the mesh in " + where + " is not running: its supervisor (pid " + s.pid()
          + ") is gone; 'trustmesh down --state-dir " + where + "' removes what it left, 'trustmesh up' replaces it");
    }
    MeshStatus status = MeshStatus.probe(s, true, MeshStatus.countsOf(s), Clock.systemUTC());
    if (output.json()) {
      OutputFormat.print(out, status.json(where));
    } else {
      out.println("mesh " + s.trustDomain() + " from " + s.meshFile() + ", supervisor pid " + s.pid() + ", started "
          + s.started() + (status.healthy() ? "" : "  (UNHEALTHY)"));
      if (s.dashboard() != null) {
        out.println("dashboard " + s.dashboard());
      }
      status.table().forEach(out::println);
    }
    out.flush();
    return status.healthy() ? Main.OK : Main.FAILED;
  }

  private int notRunning(PrintWriter out, Path where, String why) {
    if (output.json()) {
      ObjectNode n = OutputFormat.object();
      n.put("running", false);
      n.put("healthy", false);
      n.put("state_dir", where.toString());
      n.put("reason", why);
      OutputFormat.print(out, n);
    } else {
      out.println(why);
    }
    out.flush();
    return Main.FAILED;
  }
}
