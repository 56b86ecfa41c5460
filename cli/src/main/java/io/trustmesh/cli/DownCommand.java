package io.trustmesh.cli;

import io.trustmesh.mesh.run.MeshDown;
import io.trustmesh.mesh.state.StateDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "down", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Stop the mesh that 'trustmesh up --detach' started from --state-dir: its supervisor stops the services,",
      "sidecars, agent and server and removes the sockets and state.json. Processes are signalled only when",
      "their pid AND start time match what up recorded, so a reused pid is never hit. Running it again, or",
      "with nothing running, does nothing and exits 0.",
      "",
      "Example:",
      "  trustmesh down",
      "  trustmesh down --state-dir /tmp/mesh"
    })
final class DownCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--state-dir", defaultValue = ".trustmesh", paramLabel = "DIR",
      description = "Where 'trustmesh up' keeps its state (default: ./${DEFAULT-VALUE}).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Optional<StateDirectory> dir = StateDirectory.existing(stateDir);
    Path where = stateDir.toAbsolutePath().normalize();
    if (dir.isEmpty()) {
      out.println("no mesh is running in " + where);
      return Main.OK;
    }
    MeshDown.Outcome o = MeshDown.stop(dir.get());
    o.actions().forEach(a -> out.println("trustmesh: " + a));
    out.println(o.wasRunning() ? "the mesh in " + where + " is stopped" : "no mesh is running in " + where);
    out.flush();
    return Main.OK;
  }
}
