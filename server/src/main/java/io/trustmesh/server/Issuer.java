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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Turns CSRs into X.509-SVIDs: checks each CSR's signature, signs with the active CA for the
 * identity the caller is entitled to (never the one the CSR asks for), and records every
 * certificate in the datastore before any is handed out, so a crash never loses the record of a
 * certificate that left the server.
 *
 * <p>A batch is decided before it is signed: serials, expiries and policy first
 * ({@link Issuance.WorkloadBuilder#prepare}), then the records of the whole batch go to an
 * {@link IssuanceLog} (group commit: one transaction and one fsync per batch, shared with
 * concurrent batches) while the certificates are being signed, so the datastore's write overlaps
 * the signing instead of following it. {@link #sign} returns only once all of its records are
 * committed. A record may therefore name a certificate that was never signed (the signing key
 * failed mid-batch); a signed certificate without its record cannot leave the server.
 */
public final class Issuer implements AutoCloseable {
  /** One SVID to sign: the CSR (DER) and what the server decided it gets. */
  public record Request(byte[] csr, SpiffeId spiffeId, Duration ttl, List<String> dnsNames) {}

  private final SigningAuthority authority;
  private final IssuanceLog log;
  private final Clock clock;
  private final Metrics metrics;

  Issuer(SigningAuthority authority, DataStore store, Clock clock, Metrics metrics) {
    this.authority = authority;
    this.log = new IssuanceLog(store);
    this.clock = clock;
    this.metrics = metrics;
  }

  /** An issuer outside a running server (benchmarks, tests): it records into {@code store} like the server's. */
  public static Issuer create(SigningAuthority authority, DataStore store, Clock clock) {
    return new Issuer(authority, store, clock, new Metrics(() -> 0L));
  }

  /**
   * Signs every request or none. Every CSR and every policy decision is checked before anything
   * is recorded or signed, so a bad request leaves no record behind.
   *
   * @throws IllegalArgumentException naming the first CSR that is malformed or badly signed
   */
  public List<IssuedCertificate> sign(List<Request> requests, String requestedBy) {
    try {
      CertificateAuthority ca = authority.active();
      Instant now = clock.instant();
      List<Issuance.Prepared> prepared = new ArrayList<>(requests.size());
      List<IssuedRecord> records = new ArrayList<>(requests.size());
      for (Request r : requests) {
        PublicKey key = Csrs.verifiedPublicKey(r.csr());
        Issuance.Prepared p = Issuance.workload(r.spiffeId()).publicKey(key).ttl(r.ttl())
            .dnsNames(r.dnsNames()).clock(clock).prepare(ca);
        prepared.add(p);
        records.add(new IssuedRecord(Serials.hex(p.serialNumber()), r.spiffeId(), p.notAfter(), now, requestedBy));
      }
      CompletableFuture<Void> committed = log.append(records);
      List<IssuedCertificate> out = new ArrayList<>(requests.size());
      for (Issuance.Prepared p : prepared) {
        if (committed.isCompletedExceptionally()) {
          break; // the records were refused: nothing of this batch may leave, stop spending signatures
        }
        out.add(p.sign());
      }
      awaitCommitted(committed);
      metrics.issued.addAndGet(out.size());
      return out;
    } catch (RuntimeException e) {
      metrics.failures.addAndGet(requests.size());
      throw e;
    }
  }

  private static void awaitCommitted(CompletableFuture<Void> f) {
    try {
      f.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while recording issued certificates", e);
    }
  }

  @Override
  public void close() {
    log.close();
  }
}
