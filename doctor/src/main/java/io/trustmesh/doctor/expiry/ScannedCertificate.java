package io.trustmesh.doctor.expiry;

import io.trustmesh.core.time.Durations;
import io.trustmesh.core.x509.CertificateDescription;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One certificate of a scan with its verdict. */
public record ScannedCertificate(Source source, X509Certificate certificate, Status status, Duration left) {
  public boolean ca() {
    return certificate.getBasicConstraints() >= 0;
  }

  /** The SPIFFE ID when it has one, else the subject. */
  public String who() {
    return CertificateDescription.of(certificate, Instant.EPOCH).spiffeId()
        .orElse(certificate.getSubjectX500Principal().getName());
  }

  public String serialHex() {
    return certificate.getSerialNumber().toString(16);
  }

  public String leftText() {
    return left.isNegative() || left.isZero() ? "expired " + Durations.format(left.negated()) + " ago" : Durations.format(left);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("where", source.where());
    m.put("subject", certificate.getSubjectX500Principal().getName());
    m.put("spiffe_id", CertificateDescription.of(certificate, Instant.EPOCH).spiffeId().orElse(null));
    m.put("issuer", certificate.getIssuerX500Principal().getName());
    m.put("serial", serialHex());
    m.put("ca", ca());
    m.put("not_before", certificate.getNotBefore().toInstant().toString());
    m.put("not_after", certificate.getNotAfter().toInstant().toString());
    m.put("seconds_left", left.toSeconds());
    m.put("status", status.name());
    m.putAll(source.labels());
    return m;
  }
}
