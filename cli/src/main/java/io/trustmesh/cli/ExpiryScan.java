package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.doctor.expiry.ExpiryReport;
import io.trustmesh.doctor.expiry.ExpiryScanner;
import io.trustmesh.doctor.expiry.ExpiryScanner.Thresholds;
import io.trustmesh.doctor.expiry.PrometheusTextfile;
import io.trustmesh.doctor.expiry.Threshold;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Find certificates and report their expiry, soonest first: PEM and DER files, directories",
      "(recursively), PKCS#12 and JKS keystores, Kubernetes Secret and ConfigMap manifests (tls.crt,",
      "ca.crt, base64 data), kubeconfigs, a trustmesh server's data directory (signing CAs in the",
      "datastore) and agent cache (agent and workload SVIDs), and live endpoints (HOST:PORT).",
      "",
      "Thresholds are a time left (30d, 12h) or a share of the lifetime left (20%). By default a leaf",
      "warns past 2/3 of its lifetime and is critical past 5/6 (short-lived SVIDs make fixed days",
      "meaningless); a CA warns inside 30 days and is critical inside 7.",
      "",
      "Examples:",
      "  trustmesh expiry scan /etc/trustmesh /var/lib/trustmesh api.prod.svc:8443",
      "  trustmesh expiry scan --warn 30d --crit 7d --keystore-password-file pw.txt certs/ app.p12",
      "  trustmesh expiry scan k8s/secrets/ ~/.kube/config \\",
      "      --prometheus-textfile /var/lib/node_exporter/textfile/trustmesh_x509.prom",
      "",
      "Exit codes follow the Nagios plugin convention (an exception to the CLI's usual codes):",
      "0 OK, 1 WARNING, 2 CRITICAL or expired, 3 UNKNOWN (an unreadable input, or a usage error).",
      "CRITICAL wins over UNKNOWN, UNKNOWN over WARNING: an unreadable input may hide an expired certificate."
    })
final class ExpiryScan implements Callable<Integer>, NagiosExitCodes {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH|HOST:PORT", description = "Files, directories or endpoints to scan.")
  List<String> inputs;

  @Option(names = "--warn", paramLabel = "DURATION|PCT", description = "Warning threshold for every certificate (e.g. 30d or 33%).")
  String warn;

  @Option(names = "--crit", paramLabel = "DURATION|PCT", description = "Critical threshold for every certificate (e.g. 7d or 10%).")
  String crit;

  @Option(names = "--keystore-password-file", paramLabel = "FILE",
      description = "Password for PKCS#12 and JKS keystores (first line of FILE).")
  Path passwordFile;

  @Option(names = "--prometheus-textfile", paramLabel = "FILE",
      description = "Also write the x509-certificate-exporter's metrics here, atomically, for node_exporter.")
  Path textfile;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
      description = "For each live endpoint (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    Optional<Threshold> w = Optional.ofNullable(warn).map(Threshold::parse);
    Optional<Threshold> c = Optional.ofNullable(crit).map(Threshold::parse);
    ExpiryScanner scanner = new ExpiryScanner(Clock.systemUTC(), password(), timeout);
    ExpiryReport report = scanner.scan(inputs, new Thresholds(w, c));
    if (textfile != null) {
      PrometheusTextfile.write(textfile, report);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      OutputFormat.print(out, report.toMap());
    } else {
      out.print(report.text());
    }
    out.flush();
    return report.exitCode();
  }

  private Optional<char[]> password() {
    if (passwordFile == null) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(passwordFile, StandardCharsets.UTF_8);
      return Optional.of((lines.isEmpty() ? "" : lines.get(0)).toCharArray());
    } catch (IOException e) {
      throw new BadInputException("cannot read --keystore-password-file " + passwordFile + ": " + e.getMessage());
    }
  }
}
