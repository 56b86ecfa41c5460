package io.trustmesh.server.datastore;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.Flyway;

/**
 * The JDBC datastore: an SQLite file (embedded, default) or PostgreSQL, with the schema migrated by
 * Flyway on open. SQLite runs in WAL mode with one connection, so writers queue instead of failing
 * with "database is locked".
 *
 * <pre>{@code
 * DataStore ds = JdbcDataStore.open("sqlite", dataDir);
 * DataStore pg = JdbcDataStore.open("postgres://user:pw@127.0.0.1:5432/trustmesh", dataDir);
 * }</pre>
 */
public final class JdbcDataStore implements DataStore {
  private final HikariDataSource pool;
  private final String description;
  /** Attempts per transaction: 1 on SQLite (one connection, nothing to race), {@link #RETRIES} on PostgreSQL. */
  private final int attempts;
  /** How often a PostgreSQL transaction is tried before its error reaches the caller. */
  static final int RETRIES = 8;

  private JdbcDataStore(HikariDataSource pool, String description, int attempts) {
    this.pool = pool;
    this.description = description;
    this.attempts = attempts;
  }

  /**
   * The SQLite database file {@code spec} names ({@code sqlite}: {@code dataDir/datastore.sqlite3},
   * {@code sqlite:PATH}); empty for PostgreSQL.
   */
  public static Optional<Path> sqliteFile(String spec, Path dataDir) {
    if (spec == null || spec.equals("sqlite")) {
      return Optional.of(dataDir.resolve("datastore.sqlite3"));
    }
    if (spec.startsWith("sqlite:")) {
      return Optional.of(Path.of(spec.substring("sqlite:".length())));
    }
    return Optional.empty();
  }

  /**
   * Opens {@code sqlite} (a file {@code datastore.sqlite3} in {@code dataDir}), {@code sqlite:PATH},
   * or {@code postgres://user:password@host:port/db}, and migrates its schema. An SQLite file is
   * created with mode 0600 before SQLite opens it, in a directory only this user may enter (see
   * {@link SqliteFiles}).
   */
  public static JdbcDataStore open(String spec, Path dataDir) {
    HikariConfig cfg = new HikariConfig();
    String description;
    int retries = 1;
    Optional<Path> sqlite = sqliteFile(spec, dataDir);
    if (sqlite.isPresent()) {
      Path file = sqlite.get();
      SqliteFiles.prepare(file);
      cfg.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
      cfg.setMaximumPoolSize(1);
      cfg.addDataSourceProperty("journal_mode", "WAL");
      cfg.addDataSourceProperty("synchronous", "FULL");
      cfg.addDataSourceProperty("busy_timeout", "10000");
      cfg.addDataSourceProperty("foreign_keys", "true");
      description = "sqlite " + file;
    } else if (spec.startsWith("postgres://") || spec.startsWith("postgresql://")) {
      URI uri = URI.create(spec);
      String userInfo = uri.getRawUserInfo();
      cfg.setJdbcUrl("jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
          + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
      if (userInfo != null) {
        String[] parts = userInfo.split(":", 2);
        cfg.setUsername(java.net.URLDecoder.decode(parts[0], java.nio.charset.StandardCharsets.UTF_8));
        if (parts.length > 1) {
          cfg.setPassword(java.net.URLDecoder.decode(parts[1], java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      // Several servers share the database (see docs/ha.md): a small pool per server, connections
      // checked on checkout and kept alive, and a socket timeout so a vanished database host fails
      // requests (which clients retry, on this or another server) instead of hanging them.
      cfg.setMaximumPoolSize(8);
      cfg.setKeepaliveTime(30_000);
      cfg.setMaxLifetime(600_000);
      cfg.addDataSourceProperty("tcpKeepAlive", "true");
      cfg.addDataSourceProperty("socketTimeout", "30");
      cfg.addDataSourceProperty("ApplicationName", "trustmesh-server");
      // A batch of inserts (the issuance records of a group commit) goes as multi-row INSERTs: one
      // round trip per few hundred rows instead of one per row.
      cfg.addDataSourceProperty("reWriteBatchedInserts", "true");
      retries = RETRIES;
      description = "postgres " + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getPath();
    } else {
      throw new BadInputException("unsupported datastore '" + spec
          + "' (expected sqlite, sqlite:/path/file.sqlite3 or postgres://user:password@host:port/db)");
    }
    cfg.setPoolName("trustmesh-datastore");
    cfg.setConnectionTimeout(10_000);
    cfg.setInitializationFailTimeout(10_000);
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(cfg);
    } catch (RuntimeException e) {
      throw new DataStoreException("cannot open datastore " + description + ": " + rootMessage(e), e);
    }
    try {
      Flyway.configure(JdbcDataStore.class.getClassLoader())
          .dataSource(ds)
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new DataStoreException("cannot migrate datastore " + description + ": " + rootMessage(e), e);
    }
    return new JdbcDataStore(ds, description, retries);
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return String.valueOf(c.getMessage()).replaceAll("\\s+", " ");
  }

  @Override
  public String toString() {
    return description;
  }

  // ------------------------------------------------------------------ plumbing

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction. On PostgreSQL a transaction that failed for a reason
   * that is not its own (see {@link #retryable}) is run again, with backoff, up to {@link #RETRIES}
   * times: this is what carries requests across a serialization failure, a deadlock, and a
   * database restart. A retried write whose first commit did reach the database fails on its
   * primary key (serials, entry IDs) or finds nothing to delete (join tokens): loudly, never twice.
   */
  private <T> T tx(String what, Work<T> work) {
    long backoffMillis = 50;
    for (int attempt = 1; ; attempt++) {
      try {
        return once(work);
      } catch (SQLException e) {
        if (attempt >= attempts || !retryable(e)) {
          throw new DataStoreException("datastore " + what + " failed: " + rootMessage(e), e);
        }
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new DataStoreException("datastore " + what + " interrupted: " + rootMessage(e), e);
        }
        backoffMillis = Math.min(backoffMillis * 2, 2_000);
      }
    }
  }

  private <T> T once(Work<T> work) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException lost) {
          e.addSuppressed(lost);
        }
        throw e;
      } finally {
        try {
          c.setAutoCommit(true);
        } catch (SQLException lost) {
          // the connection is gone; Hikari evicts it
        }
      }
    }
  }

  /**
   * Serialization failure (40001), deadlock (40P01), a lost or refused connection (class 08), the
   * server shutting down or starting (57P01..57P03), or no connection from the pool in time.
   */
  static boolean retryable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.equals("40001") || state.equals("40P01") || state.startsWith("08")
            || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static void insertAudit(Connection c, AuditEvent e) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO audit_log (at_millis, action, actor, subject, detail) VALUES (?, ?, ?, ?, ?)")) {
      ps.setLong(1, e.at().toEpochMilli());
      ps.setString(2, e.action());
      ps.setString(3, e.actor());
      ps.setString(4, e.subject());
      ps.setString(5, e.detail());
      ps.executeUpdate();
    }
  }

  // ------------------------------------------------------------------ join tokens

  @Override
  public void createJoinToken(JoinToken token, String actor) {
    tx("createJoinToken", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO join_tokens (token_sha256, spiffe_id, expires_at) VALUES (?, ?, ?)")) {
        ps.setString(1, JoinTokenHash.of(token.token()));
        ps.setString(2, token.spiffeId().toString());
        ps.setLong(3, token.expiresAt().toEpochMilli());
        ps.executeUpdate();
      }
      insertAudit(c, new AuditEvent(Instant.now(), "token.create", actor, token.spiffeId().toString(),
          "expires " + token.expiresAt()));
      return null;
    });
  }

  @Override
  public Optional<JoinToken> redeemJoinToken(String token, Instant now) {
    String presented = JoinTokenHash.of(token);
    return tx("redeemJoinToken", c -> {
      JoinToken found = null;
      String stored = null;
      // The lookup is by hash: its timing can tell an attacker at most about a SHA-256 they chose,
      // never about a stored token. The constant-time comparison below is what decides.
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT token_sha256, spiffe_id, expires_at FROM join_tokens WHERE token_sha256 = ?")) {
        ps.setString(1, presented);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            stored = rs.getString(1);
            found = new JoinToken(token, SpiffeId.parse(rs.getString(2)), Instant.ofEpochMilli(rs.getLong(3)));
          }
        }
      }
      if (found == null || !JoinTokenHash.matches(stored, presented)) {
        return Optional.<JoinToken>empty();
      }
      // The DELETE decides: of two concurrent redeemers only one deletes the row.
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM join_tokens WHERE token_sha256 = ?")) {
        ps.setString(1, stored);
        if (ps.executeUpdate() != 1) {
          return Optional.<JoinToken>empty();
        }
      }
      if (!now.isBefore(found.expiresAt())) {
        return Optional.<JoinToken>empty();
      }
      return Optional.of(found);
    });
  }

  @Override
  public int deleteExpiredJoinTokens(Instant now) {
    return tx("deleteExpiredJoinTokens", c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM join_tokens WHERE expires_at <= ?")) {
        ps.setLong(1, now.toEpochMilli());
        return ps.executeUpdate();
      }
    });
  }

  // ------------------------------------------------------------------ nodes

  @Override
  public boolean hasJoinTokenFor(SpiffeId id, Instant now) {
    return tx("hasJoinTokenFor", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT 1 FROM join_tokens WHERE spiffe_id = ? AND expires_at > ?")) {
        ps.setString(1, id.toString());
        ps.setLong(2, now.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  @Override
  public void saveAttestedNode(AttestedNode n) {
    tx("saveAttestedNode", c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM attested_nodes WHERE spiffe_id = ?")) {
        del.setString(1, n.spiffeId().toString());
        del.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO attested_nodes (spiffe_id, attestation_type,"
          + " serial, expires_at, attested_at, new_serial, new_expires_at, banned) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, n.spiffeId().toString());
        ps.setString(2, n.attestationType());
        ps.setString(3, n.serial());
        ps.setLong(4, n.expiresAt().toEpochMilli());
        ps.setLong(5, n.attestedAt().toEpochMilli());
        ps.setString(6, n.newSerial());
        if (n.newExpiresAt() == null) {
          ps.setNull(7, Types.BIGINT);
        } else {
          ps.setLong(7, n.newExpiresAt().toEpochMilli());
        }
        ps.setInt(8, n.banned() ? 1 : 0);
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Optional<AttestedNode> attestedNode(SpiffeId id) {
    return tx("attestedNode", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT attestation_type, serial, expires_at, attested_at, "
          + "new_serial, new_expires_at, banned FROM attested_nodes WHERE spiffe_id = ?")) {
        ps.setString(1, id.toString());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<AttestedNode>empty();
          }
          String newSerial = rs.getString(5);
          long newExpires = rs.getLong(6);
          Instant newExpiresAt = rs.wasNull() ? null : Instant.ofEpochMilli(newExpires);
          return Optional.of(new AttestedNode(id, rs.getString(1), rs.getString(2),
              Instant.ofEpochMilli(rs.getLong(3)), Instant.ofEpochMilli(rs.getLong(4)), newSerial, newExpiresAt,
              rs.getInt(7) != 0));
        }
      }
    });
  }

  @Override
  public boolean renewAttestedNode(SpiffeId id, String presentedSerial, String newSerial, Instant newExpiresAt) {
    return tx("renewAttestedNode", c -> {
      // One conditional UPDATE decides: of a superseded SVID and the current one, only the current renews.
      try (PreparedStatement ps = c.prepareStatement("UPDATE attested_nodes SET new_serial = ?, new_expires_at = ?"
          + " WHERE spiffe_id = ? AND serial = ? AND banned = 0")) {
        ps.setString(1, newSerial);
        ps.setLong(2, newExpiresAt.toEpochMilli());
        ps.setString(3, id.toString());
        ps.setString(4, presentedSerial);
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean activateAttestedNodeSvid(SpiffeId id, String newSerial) {
    return tx("activateAttestedNodeSvid", c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE attested_nodes SET serial = new_serial,"
          + " expires_at = new_expires_at, new_serial = NULL, new_expires_at = NULL"
          + " WHERE spiffe_id = ? AND new_serial = ? AND banned = 0")) {
        ps.setString(1, id.toString());
        ps.setString(2, newSerial);
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public Eviction evictNode(SpiffeId id, String actor, Instant now) {
    Optional<AttestedNode> before = attestedNode(id);
    return tx("evictNode", c -> {
      int tokens;
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM join_tokens WHERE spiffe_id = ?")) {
        ps.setString(1, id.toString());
        tokens = ps.executeUpdate();
      }
      if (before.isPresent()) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE attested_nodes SET banned = 1, new_serial = NULL,"
            + " new_expires_at = NULL WHERE spiffe_id = ?")) {
          ps.setString(1, id.toString());
          ps.executeUpdate();
        }
      }
      Eviction e = new Eviction(before, tokens);
      if (e.happened()) {
        insertAudit(c, new AuditEvent(now, "node.evict", actor, id.toString(),
            before.map(n -> "serial " + n.serial()).orElse("not attested") + ", " + tokens + " join token(s) deleted"));
      }
      return e;
    });
  }

  // ------------------------------------------------------------------ federation

  private static final String FEDERATION_COLUMNS = "trust_domain, bundle_endpoint_url, profile, endpoint_spiffe_id,"
      + " bundle_json, sequence, refreshed_at, last_error, created_at";

  private static FederationRelationship federationFrom(ResultSet rs) throws SQLException {
    return new FederationRelationship(TrustDomain.parse(rs.getString(1)), URI.create(rs.getString(2)),
        FederationRelationship.Profile.parse(rs.getString(3)), SpiffeId.parse(rs.getString(4)), rs.getString(5), rs.getLong(6),
        Instant.ofEpochMilli(rs.getLong(7)), rs.getString(8), Instant.ofEpochMilli(rs.getLong(9)));
  }

  @Override
  public FederationRelationship createFederation(FederationRelationship f, String actor) {
    return tx("createFederation", c -> {
      if (federation(c, f.trustDomain()).isPresent()) {
        throw new BadInputException("a federation with trust domain " + f.trustDomain().name()
            + " exists already; delete it first");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO federations (" + FEDERATION_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, f.trustDomain().name());
        ps.setString(2, f.bundleEndpointUrl().toString());
        ps.setString(3, f.profile().wireName());
        ps.setString(4, f.endpointId().toString());
        ps.setString(5, f.bundleJson());
        ps.setLong(6, f.sequence());
        ps.setLong(7, f.refreshedAt().toEpochMilli());
        ps.setString(8, f.lastError());
        ps.setLong(9, f.createdAt().toEpochMilli());
        ps.executeUpdate();
      }
      insertAudit(c, new AuditEvent(Instant.now(), "federation.create", actor, f.trustDomain().name(),
          f.bundleEndpointUrl() + " " + f.profile().wireName() + " " + f.endpointId()));
      return f;
    });
  }

  private static Optional<FederationRelationship> federation(Connection c, TrustDomain td) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT " + FEDERATION_COLUMNS + " FROM federations WHERE trust_domain = ?")) {
      ps.setString(1, td.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(federationFrom(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public Optional<FederationRelationship> federation(TrustDomain trustDomain) {
    return tx("federation", c -> federation(c, trustDomain));
  }

  @Override
  public List<FederationRelationship> listFederations() {
    return tx("listFederations", c -> {
      List<FederationRelationship> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + FEDERATION_COLUMNS + " FROM federations ORDER BY trust_domain");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(federationFrom(rs));
        }
      }
      return out;
    });
  }

  @Override
  public Optional<FederationRelationship> deleteFederation(TrustDomain trustDomain, String actor) {
    return tx("deleteFederation", c -> {
      Optional<FederationRelationship> found = federation(c, trustDomain);
      if (found.isPresent()) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM federations WHERE trust_domain = ?")) {
          ps.setString(1, trustDomain.name());
          ps.executeUpdate();
        }
        insertAudit(c, new AuditEvent(Instant.now(), "federation.delete", actor, trustDomain.name(), ""));
      }
      return found;
    });
  }

  @Override
  public boolean saveFederatedBundle(TrustDomain trustDomain, String bundleJson, long sequence, Instant at) {
    return tx("saveFederatedBundle", c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE federations SET bundle_json = ?, sequence = ?,"
          + " refreshed_at = ?, last_error = '' WHERE trust_domain = ? AND sequence <= ?")) {
        ps.setString(1, bundleJson);
        ps.setLong(2, sequence);
        ps.setLong(3, at.toEpochMilli());
        ps.setString(4, trustDomain.name());
        ps.setLong(5, sequence);
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public void recordFederationError(TrustDomain trustDomain, String error) {
    tx("recordFederationError", c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE federations SET last_error = ? WHERE trust_domain = ?")) {
        ps.setString(1, error.length() > 1000 ? error.substring(0, 1000) : error);
        ps.setString(2, trustDomain.name());
        return ps.executeUpdate();
      }
    });
  }

  // ------------------------------------------------------------------ entries

  @Override
  public RegistrationEntry createEntry(RegistrationEntry e, String actor) {
    return tx("createEntry", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO registration_entries "
          + "(id, spiffe_id, parent_id, selectors, ttl_seconds, dns_names, hint, created_at, federates_with) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, e.id());
        ps.setString(2, e.spiffeId().toString());
        ps.setString(3, e.parentId().toString());
        ps.setString(4, String.join("\n", e.selectors()));
        ps.setLong(5, e.ttl().toSeconds());
        ps.setString(6, String.join("\n", e.dnsNames()));
        ps.setString(7, e.hint());
        ps.setLong(8, e.createdAt().toEpochMilli());
        ps.setString(9, String.join("\n", e.federatesWith().stream().map(TrustDomain::name).toList()));
        ps.executeUpdate();
      }
      insertAudit(c, new AuditEvent(Instant.now(), "entry.create", actor, e.id(),
          e.spiffeId() + " parent " + e.parentId() + " selectors " + e.selectors()));
      return e;
    });
  }

  private static final String ENTRY_COLUMNS =
      "id, spiffe_id, parent_id, selectors, ttl_seconds, dns_names, hint, created_at, federates_with";

  private static RegistrationEntry entryFrom(ResultSet rs) throws SQLException {
    return new RegistrationEntry(rs.getString(1), SpiffeId.parse(rs.getString(2)), SpiffeId.parse(rs.getString(3)),
        split(rs.getString(4)), Duration.ofSeconds(rs.getLong(5)), split(rs.getString(6)), rs.getString(7),
        Instant.ofEpochMilli(rs.getLong(8)), split(rs.getString(9)).stream().map(TrustDomain::parse).toList());
  }

  private static List<String> split(String s) {
    return s == null || s.isEmpty() ? List.of() : Arrays.asList(s.split("\n"));
  }

  @Override
  public Optional<RegistrationEntry> entry(String id) {
    return tx("entry", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + ENTRY_COLUMNS + " FROM registration_entries WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(entryFrom(rs)) : Optional.<RegistrationEntry>empty();
        }
      }
    });
  }

  @Override
  public List<RegistrationEntry> listEntries(Optional<SpiffeId> parentId, Optional<SpiffeId> spiffeId) {
    return tx("listEntries", c -> {
      StringBuilder sql = new StringBuilder("SELECT " + ENTRY_COLUMNS + " FROM registration_entries WHERE 1 = 1");
      List<String> args = new ArrayList<>();
      parentId.ifPresent(p -> {
        sql.append(" AND parent_id = ?");
        args.add(p.toString());
      });
      spiffeId.ifPresent(s -> {
        sql.append(" AND spiffe_id = ?");
        args.add(s.toString());
      });
      sql.append(" ORDER BY created_at, id");
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setString(i + 1, args.get(i));
        }
        List<RegistrationEntry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(entryFrom(rs));
          }
        }
        return out;
      }
    });
  }

  @Override
  public Optional<RegistrationEntry> deleteEntry(String id, String actor) {
    return tx("deleteEntry", c -> {
      Optional<RegistrationEntry> found;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + ENTRY_COLUMNS + " FROM registration_entries WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          found = rs.next() ? Optional.of(entryFrom(rs)) : Optional.empty();
        }
      }
      if (found.isPresent()) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM registration_entries WHERE id = ?")) {
          ps.setString(1, id);
          ps.executeUpdate();
        }
        insertAudit(c, new AuditEvent(Instant.now(), "entry.delete", actor, id, found.get().spiffeId().toString()));
      }
      return found;
    });
  }

  // ------------------------------------------------------------------ issued certificates

  /**
   * One row per certificate: since schema version 7 the audit trail reads its issuance lines from
   * these rows ({@link #auditLog}), so there is no second insert into {@code audit_log}.
   */
  @Override
  public void recordIssued(List<IssuedRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    tx("recordIssued", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO issued_certificates "
          + "(serial, spiffe_id, not_after, issued_at, requested_by) VALUES (?, ?, ?, ?, ?)")) {
        for (IssuedRecord r : records) {
          ps.setString(1, r.serial());
          ps.setString(2, r.spiffeId().toString());
          ps.setLong(3, r.notAfter().toEpochMilli());
          ps.setLong(4, r.issuedAt().toEpochMilli());
          ps.setString(5, r.requestedBy());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  @Override
  public Optional<IssuedRecord> issued(String serialHex) {
    return tx("issued", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT spiffe_id, not_after, issued_at, requested_by "
          + "FROM issued_certificates WHERE serial = ?")) {
        ps.setString(1, serialHex);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<IssuedRecord>empty();
          }
          return Optional.of(new IssuedRecord(serialHex, SpiffeId.parse(rs.getString(1)),
              Instant.ofEpochMilli(rs.getLong(2)), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4)));
        }
      }
    });
  }

  @Override
  public long countIssued() {
    return tx("countIssued", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM issued_certificates");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  @Override
  public Set<Map.Entry<String, String>> issuedSince(Instant since) {
    return tx("issuedSince", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT requested_by, spiffe_id "
          + "FROM issued_certificates WHERE issued_at >= ?")) {
        ps.setLong(1, since.toEpochMilli());
        Set<Map.Entry<String, String>> out = new HashSet<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(Map.entry(rs.getString(1), rs.getString(2)));
          }
        }
        return out;
      }
    });
  }

  // ------------------------------------------------------------------ forced SVID re-issue

  @Override
  public Instant svidsNotBefore() {
    return tx("svidsNotBefore", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT not_before FROM svid_reissue WHERE id = 1");
          ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Instant.ofEpochMilli(rs.getLong(1)) : Instant.EPOCH;
      }
    });
  }

  @Override
  public boolean raiseSvidsNotBefore(Instant notBefore, String actor) {
    return tx("raiseSvidsNotBefore", c -> {
      int n;
      // Compare-and-set in one statement: two servers raising it at once both end at the later mark.
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE svid_reissue SET not_before = ? WHERE id = 1 AND not_before < ?")) {
        ps.setLong(1, notBefore.toEpochMilli());
        ps.setLong(2, notBefore.toEpochMilli());
        n = ps.executeUpdate();
      }
      if (n > 0) {
        insertAudit(c, new AuditEvent(Instant.now(), "svid.reissue", actor, "*",
            "every X.509-SVID with notBefore before " + notBefore + " is re-issued"));
      }
      return n > 0;
    });
  }

  // ------------------------------------------------------------------ audit

  @Override
  public void audit(AuditEvent event) {
    tx("audit", c -> {
      insertAudit(c, event);
      return null;
    });
  }

  /**
   * The audit log's own lines and one {@code svid.issue} line per issued certificate (read from
   * {@code issued_certificates}, see the V7 migration), merged newest first.
   */
  @Override
  public List<AuditEvent> auditLog(int limit) {
    return tx("auditLog", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT at_millis, action, actor, subject, detail, serial, not_after FROM ("
              + "SELECT at_millis, action, actor, subject, detail, CAST(NULL AS VARCHAR(64)) AS serial,"
              + " CAST(NULL AS BIGINT) AS not_after FROM audit_log ORDER BY at_millis DESC LIMIT ?) a "
              + "UNION ALL SELECT at_millis, action, actor, subject, detail, serial, not_after FROM ("
              + "SELECT issued_at AS at_millis, 'svid.issue' AS action, requested_by AS actor, spiffe_id AS subject,"
              + " CAST(NULL AS TEXT) AS detail, serial, not_after FROM issued_certificates"
              + " ORDER BY issued_at DESC LIMIT ?) i "
              + "ORDER BY at_millis DESC LIMIT ?")) {
        ps.setInt(1, limit);
        ps.setInt(2, limit);
        ps.setInt(3, limit);
        List<AuditEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String serial = rs.getString(6);
            String detail = serial == null ? rs.getString(5)
                : "serial " + serial + " expires " + Instant.ofEpochMilli(rs.getLong(7));
            out.add(new AuditEvent(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3),
                rs.getString(4), detail));
          }
        }
        return out;
      }
    });
  }

  // ------------------------------------------------------------------ signing CAs

  @Override
  public List<CaRecord> signingCas() {
    return tx("signingCas", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, chain_pem, key_id, not_after, created_at, "
          + "activated_at, jwt_public_key FROM signing_cas ORDER BY created_at, id");
          ResultSet rs = ps.executeQuery()) {
        List<CaRecord> out = new ArrayList<>();
        while (rs.next()) {
          long act = rs.getLong(6);
          boolean nullAct = rs.wasNull();
          out.add(new CaRecord(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
              Instant.ofEpochMilli(rs.getLong(5)), nullAct ? null : Instant.ofEpochMilli(act), rs.getString(7)));
        }
        return out;
      }
    });
  }

  @Override
  public void saveSigningCa(CaRecord ca) {
    tx("saveSigningCa", c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM signing_cas WHERE id = ?")) {
        del.setString(1, ca.id());
        del.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO signing_cas "
          + "(id, chain_pem, key_id, not_after, created_at, activated_at, jwt_public_key) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, ca.id());
        ps.setString(2, ca.chainPem());
        ps.setString(3, ca.keyId());
        ps.setLong(4, ca.notAfter().toEpochMilli());
        ps.setLong(5, ca.createdAt().toEpochMilli());
        if (ca.activatedAt() == null) {
          ps.setNull(6, Types.BIGINT);
        } else {
          ps.setLong(6, ca.activatedAt().toEpochMilli());
        }
        ps.setString(7, ca.jwtPublicKey());
        ps.executeUpdate();
      }
      insertAudit(c, new AuditEvent(Instant.now(), ca.activatedAt() == null ? "ca.prepare" : "ca.activate",
          "server", ca.id(), "expires " + ca.notAfter()));
      return null;
    });
  }

  @Override
  public void deleteSigningCa(String id) {
    tx("deleteSigningCa", c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM signing_cas WHERE id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      insertAudit(c, new AuditEvent(Instant.now(), "ca.retire", "server", id, ""));
      return null;
    });
  }

  @Override
  public boolean healthy() {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
