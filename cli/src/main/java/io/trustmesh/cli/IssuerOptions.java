package io.trustmesh.cli;

import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.time.Durations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every command that signs a workload certificate shares. */
final class IssuerOptions {
  @Option(names = "--ca", required = true, paramLabel = "DIR", description = "CA directory (from 'trustmesh ca init').")
  Path caDir;

  @Option(names = "--intermediate", paramLabel = "NAME",
      description = "Intermediate to sign with (default: the only one there is).")
  String intermediate;

  @Option(names = "--insecure-allow-long-ttl",
      description = "WEAKENS SECURITY: allow a workload lifetime above 24h.")
  boolean allowLongTtl;

  CaDirectory ca() {
    return CaDirectory.open(caDir);
  }

  CertificateAuthority issuer(CaDirectory ca) {
    return ca.intermediate(Optional.ofNullable(intermediate));
  }

  /** Signs with the chosen intermediate, honouring --insecure-allow-long-ttl. */
  IssuedCertificate sign(Issuance.WorkloadBuilder builder, CertificateAuthority issuer) {
    if (allowLongTtl) {
      builder.allowLongTtl();
    }
    return builder.signedBy(issuer);
  }

  /** Tells the user, on stderr, when the lifetime was cut to the issuer's expiry. */
  static void warnIfClamped(PrintWriter err, IssuedCertificate issued, Duration requested) {
    if (issued.clamped()) {
      err.println("trustmesh: warning: requested TTL " + Durations.format(requested)
          + " outlives the issuing CA; clamped to its expiry " + issued.certificate().getNotAfter().toInstant());
    }
  }
}
