package io.trustmesh.server;

import io.trustmesh.core.ca.Csrs;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.x509.Serials;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.IssuedRecord;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns CSRs into X.509-SVIDs: checks each CSR's signature, signs with the active CA for the
 * identity the caller is entitled to (never the one the CSR asks for), and records every
 * certificate in the datastore — in one transaction per batch, before any is handed out, so a
 * crash never loses the record of a certificate that left the server.
 */
public final class Issuer {
  /** One SVID to sign: the CSR (DER) and what the server decided it gets. */
  public record Request(byte[] csr, SpiffeId spiffeId, Duration ttl, List<String> dnsNames) {}

  private final SigningAuthority authority;
  private final DataStore store;
  private final Clock clock;
  private final Metrics metrics;

  Issuer(SigningAuthority authority, DataStore store, Clock clock, Metrics metrics) {
    this.authority = authority;
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** An issuer outside a running server (benchmarks, tests): it records into {@code store} like the server's. */
  public static Issuer create(SigningAuthority authority, DataStore store, Clock clock) {
    return new Issuer(authority, store, clock, new Metrics(() -> 0L));
  }

  /**
   * Signs every request or none.
   *
   * @throws IllegalArgumentException naming the first CSR that is malformed or badly signed
   */
  public List<IssuedCertificate> sign(List<Request> requests, String requestedBy) {
    try {
      CertificateAuthority ca = authority.active();
      List<IssuedCertificate> out = new ArrayList<>(requests.size());
      List<IssuedRecord> records = new ArrayList<>(requests.size());
      Instant now = clock.instant();
      for (Request r : requests) {
        PublicKey key = Csrs.verifiedPublicKey(r.csr());
        IssuedCertificate c = Issuance.workload(r.spiffeId()).publicKey(key).ttl(r.ttl())
            .dnsNames(r.dnsNames()).clock(clock).signedBy(ca);
        out.add(c);
        records.add(new IssuedRecord(Serials.hex(c.serialNumber()), r.spiffeId(), c.notAfter(), now, requestedBy));
      }
      store.recordIssued(records);
      metrics.issued.addAndGet(out.size());
      return out;
    } catch (RuntimeException e) {
      metrics.failures.addAndGet(requests.size());
      throw e;
    }
  }
}
