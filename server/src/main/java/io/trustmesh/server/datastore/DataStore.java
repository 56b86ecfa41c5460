package io.trustmesh.server.datastore;

import io.trustmesh.core.spiffe.SpiffeId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the server keeps its state: registration entries, join tokens, attested nodes, a record of
 * every certificate issued, the signing CAs, and the audit log. Implementations: {@link JdbcDataStore}
 * on SQLite (embedded, the default) or PostgreSQL (for several servers). Every implementation
 * passes the same contract test suite.
 */
public interface DataStore extends AutoCloseable {
  /** Stores the token's SHA-256 only (never the token), its SPIFFE ID and expiry. */
  void createJoinToken(JoinToken token, String actor);

  /**
   * Redeems a token: deletes it and returns it if it existed and had not expired at {@code now}.
   * Two concurrent redemptions of the same token: exactly one wins. Presenting the stored hash
   * instead of the token finds nothing.
   */
  Optional<JoinToken> redeemJoinToken(String token, Instant now);

  /** Deletes every token that expired at or before {@code now}; returns how many. */
  int deleteExpiredJoinTokens(Instant now);

  void saveAttestedNode(AttestedNode node);

  Optional<AttestedNode> attestedNode(SpiffeId id);

  RegistrationEntry createEntry(RegistrationEntry entry, String actor);

  Optional<RegistrationEntry> entry(String id);

  /** Entries, optionally only those with this parent and/or this SPIFFE ID; oldest first. */
  List<RegistrationEntry> listEntries(Optional<SpiffeId> parentId, Optional<SpiffeId> spiffeId);

  Optional<RegistrationEntry> deleteEntry(String id, String actor);

  /**
   * Records issued certificates and their audit lines in one transaction: all or none. A serial
   * already recorded makes the whole batch fail (serials are never reused).
   */
  void recordIssued(List<IssuedRecord> records);

  Optional<IssuedRecord> issued(String serialHex);

  long countIssued();

  void audit(AuditEvent event);

  /** The newest {@code limit} audit events, newest first. */
  List<AuditEvent> auditLog(int limit);

  List<CaRecord> signingCas();

  void saveSigningCa(CaRecord ca);

  void deleteSigningCa(String id);

  /** True when the store answers a trivial query. */
  boolean healthy();

  @Override
  void close();
}
