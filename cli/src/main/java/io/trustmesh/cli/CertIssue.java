package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.Durations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "issue", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Issue a workload X.509-SVID (new key pair) from an intermediate of a CA directory.",
      "Writes OUTDIR/svid.pem (leaf, then intermediates; no root), OUTDIR/svid_key.pem (0600) and",
      "OUTDIR/svid_bundle.pem (the trusted root) together: all three, or none.",
      "",
      "Example:",
      "  trustmesh cert issue --ca trustmesh-ca --spiffe-id spiffe://example.org/ns/prod/sa/web \\",
      "      --dns web.prod.svc --ttl 1h --out web-svid"
    })
final class CertIssue implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin IssuerOptions issuerOptions;

  @Option(names = "--spiffe-id", required = true, paramLabel = "ID",
      description = "The workload's SPIFFE ID, e.g. spiffe://example.org/ns/prod/sa/web.")
  SpiffeId spiffeId;

  @Option(names = "--dns", paramLabel = "NAME", description = "Add a DNS SAN; repeat for several.")
  List<String> dnsNames = new ArrayList<>();

  @Option(names = "--ttl", defaultValue = "24h", paramLabel = "D",
      description = "Lifetime (default: ${DEFAULT-VALUE}, at most 24h; clamped to the issuer's expiry).")
  Duration ttl;

  @Option(names = "--key-type", defaultValue = "ec-p256", paramLabel = "T",
      description = "Key type: ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096.")
  KeyType keyType;

  @Option(names = "--out", required = true, paramLabel = "OUTDIR", description = "Directory to write the SVID to.")
  Path out;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    CaDirectory ca = issuerOptions.ca();
    IssuedCertificate issued = issuerOptions.sign(
        Issuance.workload(spiffeId).dnsNames(dnsNames).ttl(ttl).keyType(keyType), issuerOptions.issuer(ca));
    X509Svid svid = X509Svid.of(issued.chain(), issued.keyPair().orElseThrow().getPrivate(), out.toString());
    svid.write(out, List.of(ca.rootCertificate()));
    report(spec, output, "Issued", svid, issued, ttl, out);
    return Main.OK;
  }

  /** The summary that issue and renew print. */
  static void report(CommandSpec spec, OutputOption output, String verb, X509Svid svid,
      IssuedCertificate issued, Duration ttl, Path dir) {
    PrintWriter out = spec.commandLine().getOut();
    X509Certificate leaf = svid.leaf();
    IssuerOptions.warnIfClamped(spec.commandLine().getErr(), issued, ttl);
    Instant notAfter = leaf.getNotAfter().toInstant();
    if (output.json()) {
      ObjectNode n = OutputFormat.object();
      n.put("spiffe_id", svid.spiffeId().toString());
      n.put("serial", leaf.getSerialNumber().toString(16));
      n.put("not_before", leaf.getNotBefore().toInstant().toString());
      n.put("not_after", notAfter.toString());
      n.put("clamped", issued.clamped());
      n.put("certificate", dir.resolve(X509Svid.CERT_FILE).toString());
      n.put("key", dir.resolve(X509Svid.KEY_FILE).toString());
      n.put("bundle", dir.resolve(X509Svid.BUNDLE_FILE).toString());
      OutputFormat.print(out, n);
      return;
    }
    out.println(verb + " " + svid.spiffeId());
    out.println("  serial   " + leaf.getSerialNumber().toString(16));
    out.println("  expires  " + notAfter + " (in " + Durations.format(Duration.between(Instant.now(), notAfter))
        + (issued.clamped() ? ", clamped to the issuer's expiry" : "") + ")");
    out.println("  wrote    " + dir.resolve(X509Svid.CERT_FILE) + ", " + dir.resolve(X509Svid.KEY_FILE)
        + " (0600), " + dir.resolve(X509Svid.BUNDLE_FILE));
  }
}
