package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.mesh.builtin.Builtin;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "builtin", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Run one of the small programs of the quick-start mesh (examples/quickstart/trustmesh.yaml names them",
      "'trustmesh-builtin NAME'). They speak plain HTTP; the sidecars carry it over mutual TLS.",
      "  web            a front page on --listen; calls the API's /orders at --api (its outbound sidecar),",
      "                 for every page and every --interval",
      "  api            /orders on --listen; calls payments' /charge at --payments",
      "  payments       /charge on --listen; Prometheus text on --metrics",
      "  legacy-client  GET --target every --interval, in plaintext (no sidecar)",
      "  intruder       GET --target (its outbound sidecar) every --interval: a caller that is denied",
      "",
      "Every address is HOST:PORT or unix:/path; a socket is created 0600 in a directory only you can",
      "write, so no other local user reaches the program behind its sidecar ('up' passes such paths).",
      "",
      "Example:",
      "  trustmesh builtin payments --listen unix:$XDG_RUNTIME_DIR/payments/app.sock --metrics 127.0.0.1:19090"
    })
final class BuiltinCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "web, api, payments, legacy-client or intruder.")
  String name;

  @Option(names = "--listen", paramLabel = "ADDR", description = "Where to serve HTTP (web, api, payments).")
  String listen;

  @Option(names = "--api", paramLabel = "ADDR", description = "web: where the API is reached.")
  String api;

  @Option(names = "--payments", paramLabel = "ADDR", description = "api: where payments is reached.")
  String payments;

  @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "payments: where to serve /metrics.")
  String metrics;

  @Option(names = "--target", paramLabel = "ADDR", description = "legacy-client, intruder: whom to call.")
  String target;

  @Option(names = "--interval", defaultValue = "2s", paramLabel = "D",
      description = "Time between the calls of web, legacy-client and intruder (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Override
  public Integer call() throws Exception {
    if (interval.isNegative() || interval.isZero()) {
      throw new BadInputException("--interval must be positive: " + interval);
    }
    Termination termination = Termination.install(Thread.currentThread());
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Builtin program = Builtin.start(name, new Builtin.Options(Optional.ofNullable(listen), Optional.ofNullable(api),
        Optional.ofNullable(payments), Optional.ofNullable(metrics), Optional.ofNullable(target), interval), out);
    termination.started();
    return termination.stopOnSignal(program, spec.commandLine().getErr());
  }
}
