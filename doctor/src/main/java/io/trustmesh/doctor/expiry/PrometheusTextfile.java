package io.trustmesh.doctor.expiry;

import io.trustmesh.core.io.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Writes a scan for node_exporter's textfile collector, with the metric and label names of the
 * x509-certificate-exporter ({@code x509_cert_not_after}, {@code x509_cert_not_before}, {@code
 * x509_cert_expired}, {@code x509_read_errors}; labels {@code filepath}, {@code serial_number},
 * {@code subject_CN}, {@code issuer_CN}, {@code secret_namespace}, {@code secret_name}, {@code
 * secret_key}), so its dashboards and alerts work unchanged. A certificate from a live endpoint has
 * an {@code endpoint} label instead of {@code filepath}. The file is replaced atomically: the
 * collector never reads half of it.
 */
public final class PrometheusTextfile {
  private PrometheusTextfile() {}

  public static void write(Path file, ExpiryReport report) {
    AtomicFiles.write(file, render(report).getBytes(StandardCharsets.UTF_8), false);
  }

  static String render(ExpiryReport report) {
    StringBuilder b = new StringBuilder();
    metric(b, "x509_cert_not_after", "Certificate's not after date, in seconds since the epoch", report, c ->
        String.valueOf(c.getNotAfter().toInstant().getEpochSecond()));
    metric(b, "x509_cert_not_before", "Certificate's not before date, in seconds since the epoch", report, c ->
        String.valueOf(c.getNotBefore().toInstant().getEpochSecond()));
    metric(b, "x509_cert_expired", "Whether the certificate has expired (1) or not (0)", report, c ->
        report.checkedAt().isBefore(c.getNotAfter().toInstant()) ? "0" : "1");
    b.append("# HELP x509_read_errors Inputs that could not be read in the last scan\n");
    b.append("# TYPE x509_read_errors gauge\n");
    b.append("x509_read_errors ").append(report.errors().size()).append('\n');
    return b.toString();
  }

  private interface Value {
    String of(X509Certificate c);
  }

  private static void metric(StringBuilder b, String name, String help, ExpiryReport report, Value value) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(" gauge\n");
    for (ScannedCertificate s : report.certificates()) {
      Map<String, String> labels = new LinkedHashMap<>(s.source().labels());
      labels.put("serial_number", s.certificate().getSerialNumber().toString());
      labels.put("subject_CN", commonName(s.certificate().getSubjectX500Principal().getName()));
      labels.put("issuer_CN", commonName(s.certificate().getIssuerX500Principal().getName()));
      b.append(name).append('{');
      boolean first = true;
      for (Map.Entry<String, String> l : labels.entrySet()) {
        b.append(first ? "" : ",").append(l.getKey()).append("=\"").append(escape(l.getValue())).append('"');
        first = false;
      }
      b.append("} ").append(value.of(s.certificate())).append('\n');
    }
  }

  static String commonName(String dn) {
    try {
      for (Rdn rdn : new LdapName(dn).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      return "";
    }
    return "";
  }

  /** The exposition format's label value escapes: backslash, double quote and newline. */
  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
