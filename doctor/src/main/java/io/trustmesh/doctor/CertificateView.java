package io.trustmesh.doctor;

import io.trustmesh.core.x509.CertificateDescription;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A certificate as doctor shows it: the fields a person checks when a handshake fails. */
public final class CertificateView {
  private CertificateView() {}

  public static Map<String, Object> toMap(X509Certificate c, Instant now) {
    CertificateDescription d = CertificateDescription.of(c, now);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("subject", d.subject());
    m.put("issuer", d.issuer());
    m.put("serial", d.serial());
    m.put("spiffe_id", d.spiffeId().orElse(null));
    m.put("dns_names", d.dnsNames());
    m.put("uris", d.uris());
    m.put("ip_addresses", d.ipAddresses());
    m.put("not_before", d.notBefore().toString());
    m.put("not_after", d.notAfter().toString());
    m.put("time_left", d.timeLeft());
    m.put("not_yet_valid", now.isBefore(d.notBefore()));
    m.put("expired", d.expired());
    m.put("key", d.key());
    m.put("key_usage", d.keyUsage());
    m.put("extended_key_usage", d.extendedKeyUsage());
    m.put("ca", d.ca());
    m.put("permitted_names", d.permittedNames());
    m.put("excluded_names", d.excludedNames());
    m.put("sha256", d.sha256Fingerprint());
    return m;
  }

  public static List<Map<String, Object>> chain(List<X509Certificate> chain, Instant now) {
    List<Map<String, Object>> out = new ArrayList<>();
    chain.forEach(c -> out.add(toMap(c, now)));
    return out;
  }

  /** A few indented lines for the text report. */
  public static List<String> lines(int index, X509Certificate c, Instant now) {
    CertificateDescription d = CertificateDescription.of(c, now);
    List<String> out = new ArrayList<>();
    out.add("[" + index + "] " + d.subject() + (d.ca() ? " (CA)" : ""));
    out.add("    issuer:   " + d.issuer());
    d.spiffeId().ifPresent(id -> out.add("    SPIFFE ID: " + id));
    if (!d.dnsNames().isEmpty()) {
      out.add("    DNS:      " + String.join(", ", d.dnsNames()));
    }
    String state = now.isBefore(d.notBefore()) ? "NOT YET VALID" : d.expired() ? "EXPIRED" : d.timeLeft() + " left";
    out.add("    valid:    " + d.notBefore() + " .. " + d.notAfter() + " (" + state + ")");
    out.add("    key:      " + d.key() + "; usage: " + String.join(", ", d.keyUsage())
        + (d.extendedKeyUsage().isEmpty() ? "" : "; EKU: " + String.join(", ", d.extendedKeyUsage())));
    if (!d.permittedNames().isEmpty() || !d.excludedNames().isEmpty()) {
      out.add("    name constraints: permitted " + d.permittedNames() + " excluded " + d.excludedNames());
    }
    return out;
  }
}
