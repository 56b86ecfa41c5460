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
 * <p>Recording goes through an {@link IssuanceLog} (group commit): the records of a batch are
 * handed to it in chunks while the rest of the batch is still being signed, and concurrent batches
 * share transactions, so the datastore's fsync overlaps with the signing instead of following it.
 * {@link #sign} returns only once all of its records are committed.
 */
public final class Issuer implements AutoCloseable {
  /** One SVID to sign: the CSR (DER) and what the server decided it gets. */
  public record Request(byte[] csr, SpiffeId spiffeId, Duration ttl, List<String> dnsNames) {}

  /** How many records go to the log at once while a batch is being signed. */
  private static final int CHUNK = 16;

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
   * Signs every request or none. Every CSR is checked before the first certificate is signed, so a
   * bad CSR leaves no record behind.
   *
   * @throws IllegalArgumentException naming the first CSR that is malformed or badly signed
   */
  public List<IssuedCertificate> sign(List<Request> requests, String requestedBy) {
    try {
      List<PublicKey> keys = new ArrayList<>(requests.size());
      for (Request r : requests) {
        keys.add(Csrs.verifiedPublicKey(r.csr()));
      }
      CertificateAuthority ca = authority.active();
      List<IssuedCertificate> out = new ArrayList<>(requests.size());
      List<CompletableFuture<Void>> committed = new ArrayList<>();
      List<IssuedRecord> chunk = new ArrayList<>(CHUNK);
      Instant now = clock.instant();
      for (int i = 0; i < requests.size(); i++) {
        Request r = requests.get(i);
        IssuedCertificate c = Issuance.workload(r.spiffeId()).publicKey(keys.get(i)).ttl(r.ttl())
            .dnsNames(r.dnsNames()).clock(clock).signedBy(ca);
        out.add(c);
        chunk.add(new IssuedRecord(Serials.hex(c.serialNumber()), r.spiffeId(), c.notAfter(), now, requestedBy));
        if (chunk.size() == CHUNK || i == requests.size() - 1) {
          committed.add(log.append(chunk));
          chunk.clear();
        }
      }
      for (CompletableFuture<Void> f : committed) {
        awaitCommitted(f);
      }
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
