package io.trustmesh.cli;

import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.doctor.DoctorReport;
import io.trustmesh.doctor.files.FilesDoctor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "files", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Check a certificate, its key and a bundle on disk before any peer sees them: the key matches",
      "the certificate; the chain's order and completeness; expiry; the workload profile (serverAuth",
      "and clientAuth, CA:FALSE, keyUsage, one valid SPIFFE ID, RSA of at least 2048 bits, name",
      "constraints of the issuer); and what a TLS peer holding the bundle would say, as server and as client.",
      "",
      "Example:",
      "  trustmesh doctor files --cert /run/trustmesh/web/svid.pem --key /run/trustmesh/web/svid_key.pem \\",
      "      --bundle /run/trustmesh/web/svid_bundle.pem --expect-id spiffe://example.org/ns/prod/sa/web",
      "",
      "Exit codes: 0 no problem, 1 a problem found (causes and fixes printed), 2 a usage or input error."
    })
final class DoctorFiles implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--cert", paramLabel = "FILE", required = true, description = "Certificate chain (PEM, leaf first).")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE", description = "Its private key (PEM).")
  Path key;

  @Option(names = "--bundle", paramLabel = "FILE", description = "The roots a peer would trust (PEM).")
  Path bundle;

  @Option(names = "--expect-id", paramLabel = "ID", description = "The SPIFFE ID the certificate must carry.")
  SpiffeId expectId;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    DoctorReport report = new FilesDoctor(Clock.systemUTC())
        .check(cert, Optional.ofNullable(key), Optional.ofNullable(bundle), Optional.ofNullable(expectId));
    DoctorConnect.print(spec.commandLine().getOut(), report, output);
    return report.exitCode();
  }
}
