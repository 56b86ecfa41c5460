package io.trustmesh.cli;

import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.GetBundleResponse;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.core.pem.Pem;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bundle", mixinStandardHelpOptions = true,
    description = {"The server's trust bundle: the X.509 authorities of its trust domain."},
    subcommands = {BundleCommand.Show.class})
final class BundleCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  enum Format { pem, spiffe }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {
        "Print the current bundle: PEM (for --trust-bundle of an agent, or any TLS peer), or the SPIFFE",
        "bundle format (a JWK set with x509-svid keys, as the bundle endpoint serves it).",
        "",
        "Examples:",
        "  trustmesh bundle show > bundle.pem",
        "  trustmesh bundle show --format spiffe"
      })
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--format", defaultValue = "pem", description = "pem or spiffe (default: ${DEFAULT-VALUE}).")
    Format format;

    @Mixin AdminSocketOption admin;

    @Override
    public Integer call() {
      try (AdminClient client = admin.connect()) {
        GetBundleResponse r = client.bundle();
        if (format == Format.spiffe) {
          spec.commandLine().getOut().println(r.getSpiffeJson());
        } else {
          spec.commandLine().getOut().print(new String(Pem.encodeCertificates(
              Der.certificates(r.getBundle().getX509AuthoritiesList())), StandardCharsets.US_ASCII));
        }
        return Main.OK;
      }
    }
  }
}
