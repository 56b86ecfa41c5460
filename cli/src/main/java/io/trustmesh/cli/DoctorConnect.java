package io.trustmesh.cli;

import io.trustmesh.api.workload.WorkloadApiException;
import io.trustmesh.api.workload.WorkloadApiX509Source;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.doctor.DoctorReport;
import io.trustmesh.doctor.Identity;
import io.trustmesh.doctor.connect.ConnectDoctor;
import io.trustmesh.doctor.connect.ConnectRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "connect", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Connect to a TLS server the way a client would, record every step, and say in plain words why",
      "the handshake fails and how to fix it: nothing listening, not TLS (HTTP, SSH), no common TLS",
      "version or cipher suite, the server's chain (expired, clock skew, unknown authority, missing",
      "intermediate, out of order, name constraints, wrong usage, SPIFFE ID or DNS name mismatch), and",
      "whether the server requires and accepts our client certificate. It always reads once after the",
      "handshake, because a TLS 1.3 server rejects a client certificate only then.",
      "",
      "Examples:",
      "  # as the workload 'web' would call 'api', with the agent's files",
      "  trustmesh doctor connect api.prod.svc:8443 --svid-dir /run/trustmesh/web \\",
      "      --expect-id spiffe://example.org/ns/prod/sa/api",
      "  # as the workload itself: its SVID from the agent's Workload API (the one named, if several)",
      "  trustmesh doctor connect api.prod.svc:8443 --workload-api unix:///run/trustmesh/agent.sock \\",
      "      --spiffe-id spiffe://example.org/ns/prod/sa/web --expect-id spiffe://example.org/ns/prod/sa/api",
      "  # without an identity: does the server require one, and does its chain verify?",
      "  trustmesh doctor connect 10.0.0.7:8443 --bundle root.pem --output json",
      "",
      "The server's chain is judged by trustmesh's verifier against --bundle (or svid_bundle.pem of",
      "--svid-dir). Doctor never sends application data.",
      "Exit codes: 0 healthy, 1 a problem found (the causes and numbered fixes are printed),",
      "2 a usage or input error."
    })
final class DoctorConnect implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The server to check.")
  String target;

  @ArgGroup(exclusive = true)
  IdentityOptions identity;

  static final class IdentityOptions {
    @ArgGroup(exclusive = false)
    CertAndKey files;

    @Option(names = "--svid-dir", paramLabel = "DIR",
        description = "Present the SVID in DIR (svid.pem, svid_key.pem; svid_bundle.pem is the default --bundle).")
    Path svidDir;

    @Option(names = "--workload-api", paramLabel = "unix:///PATH",
        description = "Present the SVID a trustmesh agent serves this uid on its SPIFFE Workload API socket, as the"
            + " workload itself would get it; the bundle of the server's expected trust domain (else of ours) is the"
            + " default --bundle.")
    String workloadApi;
  }

  @Option(names = "--spiffe-id", paramLabel = "ID",
      description = "With --workload-api: which SVID to present when the agent serves this uid several"
          + " (default: the first it lists).")
  SpiffeId spiffeId;

  @Option(names = "--workload-api-timeout", paramLabel = "DURATION", defaultValue = "30s",
      description = "With --workload-api: how long to wait for the agent's SVID (default: ${DEFAULT-VALUE}, as the"
          + " sidecar waits at start).")
  Duration workloadApiTimeout;

  static final class CertAndKey {
    @Option(names = "--cert", paramLabel = "FILE", required = true, description = "Client certificate chain (PEM, leaf first).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "Its private key (PEM).")
    Path key;
  }

  @Option(names = "--bundle", paramLabel = "FILE", description = "Trusted roots to judge the server's chain with (PEM).")
  Path bundle;

  @ArgGroup(exclusive = true)
  Expect expect;

  static final class Expect {
    @Option(names = "--expect-id", paramLabel = "ID", description = "The server must have exactly this SPIFFE ID.")
    SpiffeId id;

    @Option(names = "--expect-trust-domain", paramLabel = "TD", description = "The server's SPIFFE ID must be in this trust domain.")
    TrustDomain trustDomain;
  }

  @Option(names = "--server-name", paramLabel = "DNS",
      description = "Send this name (SNI) and require the server's certificate to cover it.")
  String serverName;

  @Option(names = "--tls-version", paramLabel = "1.2|1.3",
      description = "Offer only this TLS version in the main attempt, to reproduce a limited client"
          + " (the server's versions are probed anyway).")
  String tlsVersion;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
      description = "For connecting and for each answer (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--wait-after-handshake", paramLabel = "DURATION", defaultValue = "1s",
      description = "How long to wait after the handshake for a TLS 1.3 rejection (default: ${DEFAULT-VALUE}).")
  Duration waitAfterHandshake;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    String[] hp = ConnectRequest.splitTarget(target);
    Optional<Identity> id = Optional.empty();
    if (spiffeId != null && (identity == null || identity.workloadApi == null)) {
      throw new BadInputException("--spiffe-id " + spiffeId + " picks one of the agent's SVIDs: give --workload-api too");
    }
    if (identity != null && identity.workloadApi != null) {
      id = Optional.of(fromWorkloadApi(identity.workloadApi));
    } else if (identity != null && identity.svidDir != null) {
      id = Optional.of(Identity.fromSvidDir(identity.svidDir));
    } else if (identity != null && identity.files != null) {
      id = Optional.of(Identity.fromFiles(identity.files.cert, identity.files.key));
    }
    Optional<List<X509Certificate>> roots = Optional.ofNullable(bundle).map(Pem::readCertificates);
    List<String> versions = tlsVersion == null ? ConnectRequest.ALL_VERSIONS
        : List.of(ConnectRequest.protocolName(tlsVersion));
    if (serverName != null && serverName.isBlank()) {
      throw new BadInputException("--server-name must not be empty");
    }
    ConnectRequest request = new ConnectRequest(hp[0], Integer.parseInt(hp[1]), id, roots,
        Optional.ofNullable(expect).map(e -> e.id), Optional.ofNullable(expect).map(e -> e.trustDomain),
        Optional.ofNullable(serverName), versions, timeout, waitAfterHandshake);
    DoctorReport report = new ConnectDoctor(Clock.systemUTC()).diagnose(request);
    print(spec.commandLine().getOut(), report, output);
    return report.exitCode();
  }

  /**
   * Doctor depends on {@code core} only, so the SVID is fetched here and handed over as certificate,
   * key and bundle. The bundle is the one of the trust domain the server should be in (from
   * --expect-id or --expect-trust-domain), else of our own: a federated bundle judges only servers
   * of its own trust domain.
   */
  private Identity fromWorkloadApi(String address) {
    try (WorkloadApiX509Source source = WorkloadApiX509Source.connect(address, Optional.ofNullable(spiffeId),
        workloadApiTimeout)) {
      X509Svid svid = source.svid();
      TrustDomain serverDomain = Optional.ofNullable(expect)
          .map(e -> e.id != null ? e.id.trustDomain() : e.trustDomain)
          .orElse(svid.spiffeId().trustDomain());
      List<X509Certificate> roots = source.bundles().forTrustDomain(serverDomain)
          .map(X509Bundle::authorities).orElse(List.of());
      return Identity.fromSvid(svid, roots, address);
    } catch (WorkloadApiException e) {
      throw new BadInputException("--workload-api: " + e.getMessage());
    }
  }

  static void print(PrintWriter out, DoctorReport report, OutputOption output) {
    if (output.json()) {
      OutputFormat.print(out, report.toMap());
    } else {
      out.print(report.text());
    }
    out.flush();
  }
}
