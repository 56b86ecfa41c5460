package io.trustmesh.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The server's counters, rendered in the Prometheus text format on {@code /metrics}. */
public final class Metrics {
  final AtomicLong issued = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  final AtomicLong attestations = new AtomicLong();
  final AtomicLong attestationFailures = new AtomicLong();
  private final Supplier<Long> caExpiryEpochSeconds;

  Metrics(Supplier<Long> caExpiryEpochSeconds) {
    this.caExpiryEpochSeconds = caExpiryEpochSeconds;
  }

  public long issued() {
    return issued.get();
  }

  public long failures() {
    return failures.get();
  }

  String render() {
    StringBuilder b = new StringBuilder();
    counter(b, "trustmesh_svid_issued_total", "X.509-SVIDs signed (agents and workloads).", issued.get());
    counter(b, "trustmesh_svid_issue_failures_total", "Signing requests refused or failed.", failures.get());
    counter(b, "trustmesh_node_attestations_total", "Agents attested with a join token.", attestations.get());
    counter(b, "trustmesh_node_attestation_failures_total", "Refused attestations.", attestationFailures.get());
    b.append("# HELP trustmesh_signing_ca_expiry_timestamp_seconds Expiry of the active signing CA.\n")
        .append("# TYPE trustmesh_signing_ca_expiry_timestamp_seconds gauge\n")
        .append("trustmesh_signing_ca_expiry_timestamp_seconds ").append(caExpiryEpochSeconds.get()).append('\n');
    return b.toString();
  }

  private static void counter(StringBuilder b, String name, String help, long value) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" counter\n")
        .append(name).append(' ').append(value).append('\n');
  }
}
