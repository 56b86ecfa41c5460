package io.trustmesh.doctor.expiry;

import io.trustmesh.doctor.Terminal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a scan: certificates sorted by time left, inputs that could not be read, and the
 * overall state as a Nagios plugin reports it. CRITICAL (or an expired certificate) wins; then
 * UNKNOWN, because an input that could not be read may hide an expired certificate; then WARNING.
 */
public record ExpiryReport(List<ScannedCertificate> certificates, List<ScanError> errors, Instant checkedAt) {

  public Status overall() {
    if (certificates.stream().anyMatch(c -> c.status().nagiosCode() == 2)) {
      return Status.CRITICAL;
    }
    if (!errors.isEmpty() || certificates.isEmpty()) {
      return Status.UNKNOWN;
    }
    return certificates.stream().anyMatch(c -> c.status() == Status.WARNING) ? Status.WARNING : Status.OK;
  }

  public int exitCode() {
    return overall().nagiosCode();
  }

  /** The Nagios first line: state, counts, then the table. */
  public String text() {
    StringBuilder b = new StringBuilder();
    b.append("EXPIRY ").append(overall()).append(" - ").append(certificates.size()).append(" certificate(s)");
    for (Status s : List.of(Status.EXPIRED, Status.CRITICAL, Status.WARNING)) {
      long n = certificates.stream().filter(c -> c.status() == s).count();
      if (n > 0) {
        b.append(", ").append(n).append(' ').append(s.name().toLowerCase());
      }
    }
    if (!errors.isEmpty()) {
      b.append(", ").append(errors.size()).append(" unreadable");
    }
    b.append('\n');
    if (!certificates.isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"STATUS", "TIME LEFT", "NOT AFTER", "SUBJECT OR SPIFFE ID", "SERIAL", "WHERE"});
      for (ScannedCertificate c : certificates) {
        rows.add(new String[] {c.status().name(), c.leftText(), c.certificate().getNotAfter().toInstant().toString(),
            c.who() + (c.ca() ? " (CA)" : ""), c.serialHex(), c.source().where()});
      }
      int[] width = new int[rows.get(0).length];
      for (String[] r : rows) {
        for (int i = 0; i < r.length; i++) {
          width[i] = Math.max(width[i], r[i].length());
        }
      }
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
          line.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
        }
        b.append(line.toString().stripTrailing()).append('\n');
      }
    }
    for (ScanError e : errors) {
      b.append("UNKNOWN ").append(e.where()).append(": ").append(e.message()).append('\n');
    }
    return Terminal.safe(b.toString());
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", overall().name());
    m.put("exit_code", exitCode());
    m.put("checked_at", checkedAt.toString());
    List<Map<String, Object>> certs = new ArrayList<>();
    certificates.forEach(c -> certs.add(c.toMap()));
    m.put("certificates", certs);
    List<Map<String, Object>> errs = new ArrayList<>();
    for (ScanError e : errors) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("where", e.where());
      x.put("error", e.message());
      errs.add(x);
    }
    m.put("errors", errs);
    return m;
  }
}
