package io.trustmesh.server.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.spiffe.SpiffeId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link DataStore} must do; each implementation runs this suite against a real database. */
abstract class DataStoreContract {
  static final SpiffeId AGENT = SpiffeId.parse("spiffe://example.org/agent/node-1");
  static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  DataStore store;

  abstract DataStore open() throws Exception;

  /** A new, empty database: the spec {@link JdbcDataStore#open} takes, and plain JDBC access to it. */
  record Fresh(String spec, String jdbcUrl, String user, String password) {}

  abstract Fresh fresh() throws Exception;

  /** Where {@link JdbcDataStore#open} may keep its files for {@link #fresh()} databases. */
  abstract Path dataDir();

  @BeforeEach
  void openStore() throws Exception {
    store = open();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void aJoinTokenIsRedeemedOnce() {
    store.createJoinToken(new JoinToken("t1", AGENT, NOW.plusSeconds(600)), "admin");
    assertThat(store.redeemJoinToken("t1", NOW)).map(JoinToken::spiffeId).contains(AGENT);
    assertThat(store.redeemJoinToken("t1", NOW)).isEmpty();
    assertThat(store.redeemJoinToken("never-created", NOW)).isEmpty();
  }

  @Test
  void anExpiredJoinTokenIsRefusedAndGone() {
    store.createJoinToken(new JoinToken("t2", AGENT, NOW.plusSeconds(1)), "admin");
    assertThat(store.redeemJoinToken("t2", NOW.plusSeconds(1))).isEmpty();
    assertThat(store.redeemJoinToken("t2", NOW)).as("the expired token was deleted").isEmpty();
  }

  @Test
  void theStoredHashOfATokenDoesNotRedeemIt() {
    String token = "0123456789abcdef0123456789abcdef";
    store.createJoinToken(new JoinToken(token, AGENT, NOW.plusSeconds(600)), "admin");
    // What a reader of the datastore finds in join_tokens: the hash, presented as if it were a token.
    assertThat(store.redeemJoinToken(JoinTokenHash.of(token), NOW)).isEmpty();
    assertThat(store.redeemJoinToken(token, NOW)).map(JoinToken::spiffeId).contains(AGENT);
  }

  @Test
  void expiredTokensAreDeletedByTheSweepAndUnexpiredOnesKept() {
    store.createJoinToken(new JoinToken("old", AGENT, NOW.plusSeconds(1)), "admin");
    store.createJoinToken(new JoinToken("fresh", AGENT, NOW.plusSeconds(600)), "admin");
    assertThat(store.deleteExpiredJoinTokens(NOW)).isZero();
    assertThat(store.deleteExpiredJoinTokens(NOW.plusSeconds(1))).isEqualTo(1);
    assertThat(store.redeemJoinToken("old", NOW)).as("deleted, even for a clock before its expiry").isEmpty();
    assertThat(store.redeemJoinToken("fresh", NOW.plusSeconds(1))).isPresent();
  }

  @Test
  void concurrentRedemptionsOfOneTokenHaveOneWinner() throws Exception {
    store.createJoinToken(new JoinToken("t3", AGENT, NOW.plusSeconds(600)), "admin");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Optional<JoinToken>>> tries = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        tries.add(() -> {
          try {
            return store.redeemJoinToken("t3", NOW);
          } catch (DataStoreException conflict) {
            return Optional.empty(); // a serialization failure is a lost race, not a second winner
          }
        });
      }
      long winners = 0;
      for (Future<Optional<JoinToken>> f : pool.invokeAll(tries)) {
        winners += f.get().isPresent() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void entriesAreCreatedListedByParentAndDeleted() {
    RegistrationEntry e1 = entry("e1", WEB, AGENT, "unix:uid:1000");
    RegistrationEntry e2 = entry("e2", SpiffeId.parse("spiffe://example.org/db"),
        SpiffeId.parse("spiffe://example.org/agent/node-2"), "unix:uid:1001", "unix:gid:50");
    store.createEntry(e1, "admin");
    store.createEntry(e2, "admin");

    assertThat(store.entry("e1")).contains(e1);
    assertThat(store.listEntries(Optional.empty(), Optional.empty())).containsExactly(e1, e2);
    assertThat(store.listEntries(Optional.of(AGENT), Optional.empty())).containsExactly(e1);
    assertThat(store.listEntries(Optional.empty(), Optional.of(e2.spiffeId()))).containsExactly(e2);
    assertThat(store.deleteEntry("e1", "admin")).contains(e1);
    assertThat(store.deleteEntry("e1", "admin")).isEmpty();
    assertThat(store.entry("e1")).isEmpty();
    assertThat(store.auditLog(10)).extracting(AuditEvent::action)
        .contains("entry.create", "entry.delete");
  }

  @Test
  void issuedCertificatesAreRecordedWithTheirAuditLines() {
    store.recordIssued(List.of(issued("0a"), issued("0b")));
    assertThat(store.issued("0a")).map(IssuedRecord::spiffeId).contains(WEB);
    assertThat(store.countIssued()).isEqualTo(2);
    assertThat(store.auditLog(10)).filteredOn(a -> a.action().equals("svid.issue")).hasSize(2);
  }

  @Test
  void eachIssuanceIsOneRowAndOneAuditLine() {
    IssuedRecord r = issued("0c");
    store.audit(new AuditEvent(NOW.minusSeconds(1), "entry.create", "admin", "e1", "spiffe://example.org/web"));
    store.recordIssued(List.of(r));
    assertThat(store.auditLog(10)).containsExactly(
        new AuditEvent(NOW, "svid.issue", AGENT.toString(), WEB.toString(), "serial 0c expires " + r.notAfter()),
        new AuditEvent(NOW.minusSeconds(1), "entry.create", "admin", "e1", "spiffe://example.org/web"));
    assertThat(store.auditLog(1)).extracting(AuditEvent::action).containsExactly("svid.issue");
  }

  /**
   * Schema 7 reads issuance audit lines from issued_certificates: a database written by version 6
   * (an issued row plus its svid.issue line per SVID) must keep each issuance once in its audit
   * trail, with the same text, and every other line.
   */
  @Test
  void aVersion6DatabaseWithIssuancesMigratesToOneLinePerIssuance() throws Exception {
    Fresh db = fresh();
    Flyway.configure(getClass().getClassLoader()).dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations("classpath:db/migration").target("6").load().migrate();
    Instant t = NOW.minusSeconds(60);
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        PreparedStatement issued = c.prepareStatement("INSERT INTO issued_certificates "
            + "(serial, spiffe_id, not_after, issued_at, requested_by) VALUES (?, ?, ?, ?, ?)");
        PreparedStatement audit = c.prepareStatement(
            "INSERT INTO audit_log (at_millis, action, actor, subject, detail) VALUES (?, ?, ?, ?, ?)")) {
      for (int i = 0; i < 3; i++) { // what version 6 wrote per SVID
        String serial = "7f0" + i;
        Instant notAfter = t.plusSeconds(3600 + i);
        issued.setString(1, serial);
        issued.setString(2, WEB.toString());
        issued.setLong(3, notAfter.toEpochMilli());
        issued.setLong(4, t.plusMillis(i).toEpochMilli());
        issued.setString(5, AGENT.toString());
        issued.executeUpdate();
        insertAudit(audit, t.plusMillis(i), "svid.issue", AGENT.toString(), WEB.toString(),
            "serial " + serial + " expires " + notAfter);
      }
      insertAudit(audit, t.minusSeconds(1), "entry.create", "admin", "e1", WEB.toString());
      // No issued row says this: it is not a duplicate, so it stays.
      insertAudit(audit, t.minusSeconds(2), "svid.issue", AGENT.toString(), WEB.toString(), "serial dead expires x");
    }
    try (DataStore migrated = JdbcDataStore.open(db.spec(), dataDir())) {
      assertThat(migrated.countIssued()).isEqualTo(3);
      List<AuditEvent> trail = migrated.auditLog(100);
      assertThat(trail).extracting(AuditEvent::detail).containsExactly(
          "serial 7f02 expires " + t.plusSeconds(3602),
          "serial 7f01 expires " + t.plusSeconds(3601),
          "serial 7f00 expires " + t.plusSeconds(3600),
          WEB.toString(),
          "serial dead expires x");
      assertThat(trail.get(0)).isEqualTo(new AuditEvent(t.plusMillis(2), "svid.issue", AGENT.toString(),
          WEB.toString(), "serial 7f02 expires " + t.plusSeconds(3602)));
      migrated.recordIssued(List.of(issued("7f03")));
      assertThat(migrated.auditLog(100)).filteredOn(e -> e.action().equals("svid.issue")).hasSize(5);
    }
  }

  private static void insertAudit(PreparedStatement ps, Instant at, String action, String actor, String subject,
      String detail) throws SQLException {
    ps.setLong(1, at.toEpochMilli());
    ps.setString(2, action);
    ps.setString(3, actor);
    ps.setString(4, subject);
    ps.setString(5, detail);
    ps.executeUpdate();
  }

  @Test
  void aBatchWithAReusedSerialIsRefusedWhole() {
    store.recordIssued(List.of(issued("1a")));
    assertThatThrownBy(() -> store.recordIssued(List.of(issued("1b"), issued("1a"))))
        .isInstanceOf(DataStoreException.class);
    assertThat(store.issued("1b")).as("nothing of the failed batch was kept").isEmpty();
    assertThat(store.countIssued()).isEqualTo(1);
  }

  @Test
  void attestedNodesAreReplacedOnRenewal() {
    store.saveAttestedNode(new AttestedNode(AGENT, "join_token", "aa", NOW.plusSeconds(60), NOW));
    store.saveAttestedNode(new AttestedNode(AGENT, "join_token", "bb", NOW.plusSeconds(120), NOW));
    assertThat(store.attestedNode(AGENT)).map(AttestedNode::serial).contains("bb");
    assertThat(store.attestedNode(WEB)).isEmpty();
  }

  @Test
  void aRenewedSvidIsPendingUntilUsedThenTheOldOneIsGone() {
    store.saveAttestedNode(new AttestedNode(AGENT, "join_token", "aa", NOW.plusSeconds(60), NOW));
    assertThat(store.renewAttestedNode(AGENT, "zz", "bb", NOW.plusSeconds(120)))
        .as("a serial that is not the current one cannot renew").isFalse();
    assertThat(store.renewAttestedNode(AGENT, "aa", "bb", NOW.plusSeconds(120))).isTrue();
    AttestedNode pending = store.attestedNode(AGENT).orElseThrow();
    assertThat(pending.serial()).as("still the current SVID until the new one is used").isEqualTo("aa");
    assertThat(pending.pendingSerial()).contains("bb");
    assertThat(pending.newExpiresAt()).isEqualTo(NOW.plusSeconds(120));

    assertThat(store.activateAttestedNodeSvid(AGENT, "cc")).as("not the pending serial").isFalse();
    assertThat(store.activateAttestedNodeSvid(AGENT, "bb")).isTrue();
    AttestedNode active = store.attestedNode(AGENT).orElseThrow();
    assertThat(active.serial()).isEqualTo("bb");
    assertThat(active.expiresAt()).isEqualTo(NOW.plusSeconds(120));
    assertThat(active.pendingSerial()).isEmpty();
    assertThat(store.activateAttestedNodeSvid(AGENT, "bb")).as("only once").isFalse();
    assertThat(store.renewAttestedNode(AGENT, "aa", "dd", NOW.plusSeconds(180)))
        .as("the superseded SVID cannot renew").isFalse();
  }

  @Test
  void joinTokensAreFoundByTheirSpiffeIdUntilTheyExpire() {
    store.createJoinToken(new JoinToken("t4", AGENT, NOW.plusSeconds(60)), "admin");
    assertThat(store.hasJoinTokenFor(AGENT, NOW)).isTrue();
    assertThat(store.hasJoinTokenFor(AGENT, NOW.plusSeconds(60))).as("expired").isFalse();
    assertThat(store.hasJoinTokenFor(WEB, NOW)).isFalse();
  }

  @Test
  void anEvictedNodeIsBannedItsTokensGoneAndANewAttestationReadmitsIt() {
    store.saveAttestedNode(new AttestedNode(AGENT, "join_token", "aa", NOW.plusSeconds(60), NOW));
    store.renewAttestedNode(AGENT, "aa", "bb", NOW.plusSeconds(120));
    store.createJoinToken(new JoinToken("t5", AGENT, NOW.plusSeconds(600)), "admin");

    DataStore.Eviction e = store.evictNode(AGENT, "admin", NOW);
    assertThat(e.node()).map(AttestedNode::serial).contains("aa");
    assertThat(e.deletedTokens()).isEqualTo(1);
    AttestedNode banned = store.attestedNode(AGENT).orElseThrow();
    assertThat(banned.banned()).isTrue();
    assertThat(banned.pendingSerial()).as("the pending SVID is dropped too").isEmpty();
    assertThat(store.redeemJoinToken("t5", NOW)).as("a token made before the eviction").isEmpty();
    assertThat(store.activateAttestedNodeSvid(AGENT, "bb")).isFalse();
    assertThat(store.renewAttestedNode(AGENT, "aa", "cc", NOW.plusSeconds(120))).isFalse();
    assertThat(store.auditLog(10)).extracting(AuditEvent::action).contains("node.evict");

    store.saveAttestedNode(new AttestedNode(AGENT, "join_token", "dd", NOW.plusSeconds(60), NOW));
    assertThat(store.attestedNode(AGENT)).map(AttestedNode::banned).contains(false);
    assertThat(store.evictNode(WEB, "admin", NOW).happened()).as("nothing to evict").isFalse();
  }

  @Test
  void signingCasRoundTrip() {
    CaRecord prepared = new CaRecord("ca-1", "PEM", "ca-1", NOW.plusSeconds(3600), NOW, null);
    store.saveSigningCa(prepared);
    assertThat(store.signingCas()).containsExactly(prepared);
    CaRecord active = new CaRecord("ca-1", "PEM", "ca-1", NOW.plusSeconds(3600), NOW, NOW.plusSeconds(5));
    store.saveSigningCa(active);
    assertThat(store.signingCas()).containsExactly(active);
    store.deleteSigningCa("ca-1");
    assertThat(store.signingCas()).isEmpty();
    assertThat(store.healthy()).isTrue();
  }

  @Test
  void theReissueMarkOnlyMovesForwardAndIsAudited() {
    assertThat(store.svidsNotBefore()).as("never forced").isEqualTo(Instant.EPOCH);
    assertThat(store.raiseSvidsNotBefore(NOW, "admin")).isTrue();
    assertThat(store.svidsNotBefore()).isEqualTo(NOW);
    assertThat(store.raiseSvidsNotBefore(NOW.minusSeconds(60), "admin")).as("backwards").isFalse();
    assertThat(store.raiseSvidsNotBefore(NOW, "admin")).as("the same mark again").isFalse();
    assertThat(store.svidsNotBefore()).isEqualTo(NOW);
    assertThat(store.auditLog(10)).filteredOn(e -> e.action().equals("svid.reissue")).hasSize(1);
  }

  @Test
  void issuedSinceNamesWhoAskedForWhichIdentity() {
    store.recordIssued(List.of(issued("0a"), new IssuedRecord("0b", AGENT, NOW.plusSeconds(60),
        NOW.minusSeconds(10), AGENT.toString())));
    assertThat(store.issuedSince(NOW)).containsExactly(Map.entry(AGENT.toString(), WEB.toString()));
    assertThat(store.issuedSince(NOW.minusSeconds(10))).hasSize(2);
  }

  static RegistrationEntry entry(String id, SpiffeId spiffeId, SpiffeId parent, String... selectors) {
    return new RegistrationEntry(id, spiffeId, parent, List.of(selectors), Duration.ofMinutes(5),
        List.of("web.local"), "", NOW);
  }

  static IssuedRecord issued(String serial) {
    return new IssuedRecord(serial, WEB, NOW.plusSeconds(3600), NOW, AGENT.toString());
  }
}
