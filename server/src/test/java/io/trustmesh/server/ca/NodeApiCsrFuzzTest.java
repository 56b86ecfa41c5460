package io.trustmesh.server.ca;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.ManualClock;
import io.trustmesh.core.x509.Extensions;
import io.trustmesh.server.Issuer;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.keymanager.MemoryKeyManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * CSRs as agents send them on the node API (DER, up to the gRPC message limit), through the
 * server's public entry point {@link Issuer#sign} — the same call {@code NodeService} makes, so the
 * target survives the CSR checker moving between modules. A malformed or badly signed CSR is
 * refused with {@link IllegalArgumentException} (or a {@link BadInputException} for a key the
 * issuance policy refuses); a CSR that passes yields a certificate for the key the CSR proved and
 * the identity the server chose, never anything the CSR asked for. Regression inputs:
 * {@code src/test/resources/io/trustmesh/server/ca/NodeApiCsrFuzzTestInputs/}.
 */
class NodeApiCsrFuzzTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final SpiffeId GRANTED = TD.newSpiffeId("ns", "prod", "sa", "web");
  static final Issuer ISSUER = issuer();

  @FuzzTest(maxDuration = "5m")
  void sign(byte[] csr) {
    List<IssuedCertificate> issued;
    try {
      issued = ISSUER.sign(List.of(new Issuer.Request(csr, GRANTED, Duration.ofHours(1), List.of())), "fuzz-agent");
    } catch (IllegalArgumentException | BadInputException refused) {
      return;
    }
    IssuedCertificate c = issued.get(0);
    if (!c.certificate().getPublicKey().equals(requestedKey(csr))) {
      throw new AssertionError("issued a certificate for a key the CSR did not prove");
    }
    List<String> uris = Extensions.uriSans(c.certificate());
    if (!uris.equals(List.of(GRANTED.toString()))) {
      throw new AssertionError("issued a certificate for " + uris + " instead of " + GRANTED);
    }
  }

  /** The key in the CSR, read independently of the checker under test. */
  private static PublicKey requestedKey(byte[] csr) {
    try {
      return new JcaPKCS10CertificationRequest(csr).getPublicKey();
    } catch (IOException | GeneralSecurityException e) {
      throw new AssertionError("issued a certificate for a CSR Bouncy Castle cannot read: " + e.getMessage());
    }
  }

  private static Issuer issuer() {
    try {
      Path dir = Files.createTempDirectory("csr-fuzz");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
      ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
      JdbcDataStore store = JdbcDataStore.open("sqlite", dir);
      SigningAuthority sa = new SigningAuthority(TD, Upstream.selfSignedRoots(), Duration.ofHours(60),
          Duration.ofHours(10), new MemoryKeyManager(), store, clock);
      sa.rotate();
      return Issuer.create(sa, store, clock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
