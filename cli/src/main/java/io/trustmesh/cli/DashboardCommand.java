package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.mesh.dashboard.Dashboard;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dashboard", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Serve the mesh dashboard on loopback: the trust hierarchy with each certificate's time to expiry,",
      "a live graph of the edges between services (mTLS, plaintext, denied, handshake failures with",
      "their reasons) and each port's effective mode, with the JSON API behind it under /api/",
      "(docs/dashboard.md). Read-only, no login: it listens on 127.0.0.1 only. 'trustmesh up' serves",
      "it too; this command is for a mesh started with --detach or elsewhere.",
      "",
      "Examples:",
      "  trustmesh dashboard",
      "  trustmesh dashboard --state-dir /srv/mesh/.trustmesh --port 7070",
      "",
      "Exit codes: 0 stopped by Ctrl-C/SIGTERM, 2 a usage error or the port is taken."
    })
final class DashboardCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--state-dir", defaultValue = ".trustmesh", paramLabel = "DIR",
      description = "The state directory of the mesh 'trustmesh up' started (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--port", defaultValue = "0", paramLabel = "N",
      description = "The loopback port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new BadInputException("--port must be 0-65535: " + port);
    }
    PrintWriter out = spec.commandLine().getOut();
    Termination termination = Termination.install(Thread.currentThread());
    Dashboard dashboard = Dashboard.start(stateDir, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    termination.started();
    out.println("trustmesh dashboard: " + dashboard.url() + " (state " + stateDir.toAbsolutePath().normalize() + "; Ctrl-C stops)");
    out.flush();
    return termination.stopOnSignal(dashboard, spec.commandLine().getErr());
  }
}
