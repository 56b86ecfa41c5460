package io.trustmesh.cli;

import io.trustmesh.mesh.observe.Tap;
import io.trustmesh.mesh.observe.TapReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tap", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Watch the connections of the running local mesh as they end: a line each with the time, both",
      "services and identities, the port, mtls or plaintext, the result and its reason, the bytes each",
      "way and the duration. Follows the sidecars' access logs like 'tail -F' (rotation, truncation,",
      "sidecars started later) until Ctrl-C, or until --count connections. A connection between two",
      "services of the mesh is seen by both sidecars: seen_by says which line is whose.",
      "",
      "Examples:",
      "  trustmesh tap --to payments",
      "  trustmesh tap --from web --since 10m --count 20 --output json",
      "",
      "Exit codes: 0 stopped by Ctrl-C/SIGTERM or after --count, 2 no mesh there or a usage error."
    })
final class TapCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--state-dir", defaultValue = ".trustmesh", paramLabel = "DIR",
      description = "The state directory of the mesh 'trustmesh up' started (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--to", paramLabel = "SERVICE", description = "Only connections to this service (or SPIFFE ID).")
  String to;

  @Option(names = "--from", paramLabel = "SERVICE",
      description = "Only connections from this service (or SPIFFE ID, or address of a caller outside the mesh).")
  String from;

  @Option(names = "--since", paramLabel = "DURATION",
      description = "Also the connections of this last while (e.g. 10m), not only new ones.")
  Duration since;

  @Option(names = "--count", paramLabel = "N", description = "Stop after N connections.")
  Long count;

  @Mixin OutputOption output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Before opening, so that no signal falls between the start and the handler.
    Termination termination = Termination.install(Thread.currentThread());
    Tap tap = Tap.open(stateDir, new Tap.Options(Optional.ofNullable(to), Optional.ofNullable(from),
        Optional.ofNullable(since), count == null ? OptionalLong.empty() : OptionalLong.of(count)), Clock.systemUTC());
    Thread stopper = new Thread(() -> {
      try {
        err.println("trustmesh tap: " + termination.await() + ": stopping");
        err.flush();
        tap.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "trustmesh-tap-stop");
    stopper.setDaemon(true);
    stopper.start();
    termination.started();
    tap.follow(c -> {
      out.println(output.json() ? TapReport.json(c) : TapReport.line(c));
      out.flush();
    });
    return Main.OK;
  }
}
