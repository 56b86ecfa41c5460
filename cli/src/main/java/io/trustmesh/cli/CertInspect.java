package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.io.SecretFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.x509.CertificateDescription;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Show every certificate in PEM, DER or PKCS#12 files: subject, issuer, serial, validity and",
      "time left, SANs and SPIFFE ID, key, key usages, EKU, basic and name constraints, SHA-256",
      "fingerprint; and whether a chain is in the right order (each certificate issued by the next).",
      "",
      "Example:",
      "  trustmesh cert inspect web-svid/svid.pem --output json"
    })
final class CertInspect implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Certificate files.")
  List<Path> files;

  @Option(names = "--passphrase-file", paramLabel = "F", description = "Password of a PKCS#12 file.")
  Path passphraseFile;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    Optional<char[]> password = Inputs.passphrase(passphraseFile, SecretFiles.Use.DECRYPT);
    Instant now = Instant.now();
    PrintWriter out = spec.commandLine().getOut();
    ArrayNode all = OutputFormat.JSON.createArrayNode();
    for (Path file : files) {
      List<X509Certificate> certs = Pem.readAnyCertificates(file, password);
      Optional<String> order = CertificateDescription.chainOrderProblem(certs);
      if (output.json()) {
        ObjectNode f = all.addObject();
        f.put("file", file.toString());
        f.put("chain_order_ok", order.isEmpty());
        f.put("chain_order_problem", order.orElse(null));
        ArrayNode arr = f.putArray("certificates");
        for (X509Certificate c : certs) {
          arr.add(OutputFormat.JSON.valueToTree(json(CertificateDescription.of(c, now))));
        }
        continue;
      }
      out.println(file + ": " + certs.size() + " certificate" + (certs.size() == 1 ? "" : "s"));
      for (int i = 0; i < certs.size(); i++) {
        printText(out, i + 1, CertificateDescription.of(certs.get(i), now));
      }
      if (certs.size() > 1) {
        out.println("chain order: " + order.map(p -> "WRONG: " + p).orElse("ok (each certificate is issued by the next)"));
      }
      out.println();
    }
    if (output.json()) {
      OutputFormat.print(out, all);
    }
    return Main.OK;
  }

  private static ObjectNode json(CertificateDescription d) {
    ObjectNode n = OutputFormat.object();
    n.put("subject", d.subject());
    n.put("issuer", d.issuer());
    n.put("serial", d.serial());
    n.put("not_before", d.notBefore().toString());
    n.put("not_after", d.notAfter().toString());
    n.put("time_left", d.timeLeft());
    n.put("expired", d.expired());
    n.put("spiffe_id", d.spiffeId().orElse(null));
    ObjectNode sans = n.putObject("sans");
    d.uris().forEach(sans.withArray("uri")::add);
    d.dnsNames().forEach(sans.withArray("dns")::add);
    d.ipAddresses().forEach(sans.withArray("ip")::add);
    d.emails().forEach(sans.withArray("email")::add);
    n.put("key", d.key());
    n.put("signature_algorithm", d.signatureAlgorithm());
    d.keyUsage().forEach(n.putArray("key_usage")::add);
    d.extendedKeyUsage().forEach(n.putArray("extended_key_usage")::add);
    n.put("ca", d.ca());
    if (d.pathLength().isPresent()) {
      n.put("path_length", d.pathLength().get());
    }
    if (!d.permittedNames().isEmpty() || !d.excludedNames().isEmpty()) {
      ObjectNode nc = n.putObject("name_constraints");
      d.permittedNames().forEach(nc.putArray("permitted")::add);
      d.excludedNames().forEach(nc.putArray("excluded")::add);
    }
    n.put("self_signed", d.selfSigned());
    n.put("sha256", d.sha256Fingerprint());
    return n;
  }

  private static void printText(PrintWriter out, int index, CertificateDescription d) {
    out.println("[" + index + "] " + d.subject());
    row(out, "issuer", d.issuer());
    row(out, "serial", d.serial());
    row(out, "valid", d.notBefore() + " .. " + d.notAfter() + (d.expired() ? "  EXPIRED" : "  (" + d.timeLeft() + " left)"));
    d.spiffeId().ifPresent(id -> row(out, "SPIFFE ID", id));
    if (!d.uris().isEmpty()) {
      row(out, "URI SANs", String.join(", ", d.uris()));
    }
    if (!d.dnsNames().isEmpty()) {
      row(out, "DNS SANs", String.join(", ", d.dnsNames()));
    }
    if (!d.ipAddresses().isEmpty()) {
      row(out, "IP SANs", String.join(", ", d.ipAddresses()));
    }
    if (!d.emails().isEmpty()) {
      row(out, "email SANs", String.join(", ", d.emails()));
    }
    row(out, "key", d.key() + ", signed with " + d.signatureAlgorithm());
    row(out, "key usage", d.keyUsage().isEmpty() ? "(none)" : String.join(", ", d.keyUsage()));
    if (!d.extendedKeyUsage().isEmpty()) {
      row(out, "ext key usage", String.join(", ", d.extendedKeyUsage()));
    }
    row(out, "basic", d.ca() ? "CA:TRUE" + d.pathLength().map(p -> ", path length " + p).orElse("") : "CA:FALSE");
    if (!d.permittedNames().isEmpty()) {
      row(out, "permitted", String.join(", ", d.permittedNames()));
    }
    if (!d.excludedNames().isEmpty()) {
      row(out, "excluded", String.join(", ", d.excludedNames()));
    }
    row(out, "SHA-256", d.sha256Fingerprint());
  }

  private static void row(PrintWriter out, String label, String value) {
    out.printf("    %-14s %s%n", label, value);
  }
}
