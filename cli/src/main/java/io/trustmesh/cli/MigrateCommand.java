package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.policy.migrate.AccessLogEntry;
import io.trustmesh.policy.migrate.AccessLogReader;
import io.trustmesh.policy.migrate.MigrationPlan;
import io.trustmesh.policy.migrate.MigrationPlanReport;
import io.trustmesh.policy.migrate.MigrationPlanner;
import io.trustmesh.policy.read.ModelReader;
import io.trustmesh.policy.resolve.Resolution;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Plan the move from PERMISSIVE to STRICT mTLS.", "", "Example:",
      "  trustmesh migrate plan k8s/ --access-log legacy/billing=billing-access.log"},
    subcommands = {MigrateCommand.Plan.class})
final class MigrateCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
      description = {
        "List every PERMISSIVE workload port, the clients its sidecar saw sending plaintext (from access",
        "logs), what must change before STRICT is safe (those clients, DestinationRules that send",
        "plaintext), an ordered rollout namespace by namespace (fewest blockers first, production last),",
        "and the manifests to apply at the end. Walkthrough: docs/migrate-permissive-to-strict.md.",
        "",
        "Access logs: trustmesh proxy logs (one JSON object per connection) or Envoy/Istio JSON access",
        "logs with downstream_remote_address, upstream_cluster and downstream_peer_uri_san. Prefix a",
        "log with NAMESPACE/WORKLOAD= to say whose sidecar wrote it; without a prefix it counts for",
        "every PERMISSIVE port (Envoy logs: the port in upstream_cluster).",
        "",
        "Examples:",
        "  trustmesh migrate plan k8s/ --access-log legacy-namespace/billing=/var/log/trustmesh/access.log",
        "  trustmesh migrate plan k8s/ --access-log envoy-access.json --output json",
        "",
        "Exit codes: 0 plan printed, 2 usage or input error."
      })
  static final class Plan implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "YAML files, directories or -.")
    List<String> paths;

    @Option(names = "--access-log", paramLabel = "[NS/WORKLOAD=]FILE", description = "A sidecar access log. Repeatable.")
    List<String> accessLogs = new ArrayList<>();

    @Mixin PolicyInputs inputs;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      Map<String, List<AccessLogEntry>> logs = new LinkedHashMap<>();
      AccessLogReader reader = new AccessLogReader();
      PrintWriter err = spec.commandLine().getErr();
      for (String spec : accessLogs) {
        int eq = spec.indexOf('=');
        String owner = eq > 0 ? spec.substring(0, eq) : "";
        if (!owner.isEmpty() && !owner.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?")) {
          throw new BadInputException("--access-log owner must be NAMESPACE/WORKLOAD: '" + owner + "'");
        }
        Path file = Path.of(eq > 0 ? spec.substring(eq + 1) : spec);
        AccessLogReader.Result r = reader.read(file);
        if (r.skipped() > 0) {
          err.println("trustmesh: " + file + ": skipped " + r.skipped() + " line(s) that are not access-log JSON");
        }
        logs.computeIfAbsent(owner, k -> new ArrayList<>()).addAll(r.entries());
      }
      Resolution resolution = new Resolution(new ModelReader().read(PolicyInputs.read(paths)), inputs.options());
      MigrationPlan plan = new MigrationPlanner(resolution).plan(logs);
      PrintWriter out = this.spec.commandLine().getOut();
      if (output.json()) {
        OutputFormat.print(out, MigrationPlanReport.json(plan));
      } else {
        out.print(MigrationPlanReport.text(plan));
      }
      out.flush();
      return Main.OK;
    }
  }
}
