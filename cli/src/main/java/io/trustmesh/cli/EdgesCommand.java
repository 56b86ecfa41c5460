package io.trustmesh.cli;

import io.trustmesh.mesh.observe.Edge;
import io.trustmesh.mesh.observe.Edges;
import io.trustmesh.mesh.observe.EdgesReport;
import io.trustmesh.mesh.observe.MeshView;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "edges", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Who talks to whom in the running local mesh, and whether it was mutually authenticated: one row",
      "per caller, callee, both identities and outcome, from the sidecars' access logs (the columns of",
      "'linkerd viz edges'). SECURED is \u2713 for mTLS, or why not: plaintext, denied (REASON),",
      "handshake failure (REASON). A caller outside the mesh appears as its SPIFFE ID or address.",
      "",
      "Examples:",
      "  trustmesh edges",
      "  trustmesh edges --state-dir /srv/mesh/.trustmesh --output json",
      "",
      "Exit codes: 0 printed, 2 no mesh in the state directory or a usage error."
    })
final class EdgesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--state-dir", defaultValue = ".trustmesh", paramLabel = "DIR",
      description = "The state directory of the mesh 'trustmesh up' started (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    List<Edge> edges = Edges.of(MeshView.read(stateDir));
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      EdgesReport.json(edges, out);
    } else {
      EdgesReport.text(edges, out);
    }
    out.flush();
    return Main.OK;
  }
}
