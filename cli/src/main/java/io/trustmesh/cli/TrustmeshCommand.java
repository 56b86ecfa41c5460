package io.trustmesh.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(
    name = "trustmesh",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = {
      "Zero-trust mutual TLS for services that were not written for it.",
      "",
      "Start with 'trustmesh up' to run a whole mesh from examples/quickstart/trustmesh.yaml, or",
      "'trustmesh demo' to see a CA, two workload identities and a mutual TLS handshake,",
      "or 'trustmesh ca init --trust-domain example.org' to create your own hierarchy."
    },
    subcommands = {
      CaCommand.class,
      CertCommand.class,
      DemoCommand.class,
      UpCommand.class,
      StatusCommand.class,
      DownCommand.class,
      BuiltinCommand.class,
      ProxyCommand.class,
      ServerCommand.class,
      AgentCommand.class,
      TokenCommand.class,
      EntryCommand.class,
      FederationCommand.class,
      BundleCommand.class,
      RotateCommand.class,
      DoctorCommand.class,
      ExpiryCommand.class,
      AnalyzeCommand.class,
      TlsCheckCommand.class,
      RenderCommand.class,
      MigrateCommand.class,
      EdgesCommand.class,
      TapCommand.class,
      DashboardCommand.class,
      VersionCommand.class,
    },
    footer = {
      "",
      "Exit codes: 0 success, 1 a check failed, 2 a usage or input error.",
      "Docs: docs/pki.md in the source tree."
    })
final class TrustmeshCommand implements Runnable {
  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean debug;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
