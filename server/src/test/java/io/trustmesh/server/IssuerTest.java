package io.trustmesh.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.ca.Csrs;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.x509.Serials;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.ca.Upstream;
import io.trustmesh.server.datastore.AuditEvent;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.keymanager.MemoryKeyManager;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production issuer on a real SQLite datastore: every SVID it returns is already recorded
 * (serial, identity, expiry, who asked) and shows in the audit trail; a batch with one request the
 * policy refuses records and returns nothing, wherever that request sits in the batch.
 */
class IssuerTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final SpiffeId WEB = TD.newSpiffeId("ns", "prod", "sa", "web");
  @TempDir static Path dir;
  static JdbcDataStore store;
  static Issuer issuer;

  @BeforeAll
  static void start() {
    store = JdbcDataStore.open("sqlite", dir);
    SigningAuthority ca = new SigningAuthority(TD, Upstream.selfSignedRoots(), Duration.ofHours(168),
        Duration.ofHours(28), new MemoryKeyManager(), store, Clock.systemUTC());
    ca.rotate();
    issuer = Issuer.create(ca, store, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    issuer.close();
    store.close();
  }

  @Test
  void everyReturnedSvidIsAlreadyRecordedAndAudited() {
    List<IssuedCertificate> out = issuer.sign(requests(40, WEB), "spiffe://example.org/agent/a");
    assertThat(out).hasSize(40);
    for (IssuedCertificate c : out) {
      String serial = Serials.hex(c.certificate().getSerialNumber());
      assertThat(store.issued(serial)).get().satisfies(r -> {
        assertThat(r.spiffeId()).isEqualTo(WEB);
        assertThat(r.notAfter()).isEqualTo(c.certificate().getNotAfter().toInstant());
        assertThat(r.requestedBy()).isEqualTo("spiffe://example.org/agent/a");
      });
    }
    assertThat(store.auditLog(1000)).filteredOn(e -> e.action().equals("svid.issue"))
        .extracting(AuditEvent::detail)
        .contains("serial " + Serials.hex(out.get(39).certificate().getSerialNumber()) + " expires "
            + out.get(39).certificate().getNotAfter().toInstant());
  }

  @Test
  void aRefusedRequestLateInABatchLeavesNoRecordOfTheOthers() {
    long before = store.countIssued();
    List<Issuer.Request> batch = requests(40, WEB);
    batch.set(30, requests(1, SpiffeId.parse("spiffe://other.org/web")).get(0));
    assertThatThrownBy(() -> issuer.sign(batch, "spiffe://example.org/agent/a"))
        .hasMessageContaining("spiffe://other.org/web");
    assertThat(store.countIssued()).as("nothing of the refused batch is recorded").isEqualTo(before);
  }

  @Test
  void aBadCsrLateInABatchLeavesNoRecordOfTheOthers() {
    long before = store.countIssued();
    List<Issuer.Request> batch = requests(40, WEB);
    batch.set(35, new Issuer.Request(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}, WEB, Duration.ofHours(1), List.of()));
    assertThatThrownBy(() -> issuer.sign(batch, "spiffe://example.org/agent/a"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.countIssued()).isEqualTo(before);
  }

  static List<Issuer.Request> requests(int n, SpiffeId id) {
    List<Issuer.Request> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Issuer.Request(Csrs.create(KeyType.DEFAULT.generate()), id, Duration.ofHours(1), List.of()));
    }
    return out;
  }
}
