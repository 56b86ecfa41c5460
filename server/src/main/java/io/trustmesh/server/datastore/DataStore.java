package io.trustmesh.server.datastore;

import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

  /** True when a join token bound to {@code id} is still redeemable at {@code now}. */
  boolean hasJoinTokenFor(SpiffeId id, Instant now);

  /**
   * Records a node that attested: replaces any earlier record of that ID, including an evicted
   * one, so the node's only accepted SVID is {@code node.serial()}.
   */
  void saveAttestedNode(AttestedNode node);

  Optional<AttestedNode> attestedNode(SpiffeId id);

  /**
   * Records a renewed agent SVID as pending, if and only if the node is not evicted and
   * {@code presentedSerial} is still its current SVID (compare-and-set: a superseded SVID cannot
   * renew). Returns whether it did.
   */
  boolean renewAttestedNode(SpiffeId id, String presentedSerial, String newSerial, Instant newExpiresAt);

  /**
   * Makes the pending SVID {@code newSerial} the node's current one (the agent has used it), after
   * which the previous serial is refused. Returns false if it is not the pending one or the node
   * is evicted.
   */
  boolean activateAttestedNodeSvid(SpiffeId id, String newSerial);

  /**
   * Evicts a node in one transaction: marks it banned (every SVID it holds is refused), deletes
   * every join token bound to its ID, and writes the audit line. Returns the node as it was before,
   * or empty (and changes nothing) when there is neither a node record nor a token for the ID.
   *
   * @return the record before eviction, if the node had attested, and how many tokens were deleted
   */
  Eviction evictNode(SpiffeId id, String actor, Instant now);

  /** What {@link #evictNode} found. */
  record Eviction(Optional<AttestedNode> node, int deletedTokens) {
    public boolean happened() {
      return node.isPresent() || deletedTokens > 0;
    }
  }

  RegistrationEntry createEntry(RegistrationEntry entry, String actor);

  Optional<RegistrationEntry> entry(String id);

  /** Entries, optionally only those with this parent and/or this SPIFFE ID; oldest first. */
  List<RegistrationEntry> listEntries(Optional<SpiffeId> parentId, Optional<SpiffeId> spiffeId);

  Optional<RegistrationEntry> deleteEntry(String id, String actor);

  /** Registers a federation relationship; refused when one for that trust domain exists. */
  FederationRelationship createFederation(FederationRelationship federation, String actor);

  Optional<FederationRelationship> federation(TrustDomain trustDomain);

  /** Every federation relationship, by trust domain name. */
  List<FederationRelationship> listFederations();

  Optional<FederationRelationship> deleteFederation(TrustDomain trustDomain, String actor);

  /**
   * Stores a newly fetched good bundle if, and only if, its sequence is not older than the stored
   * one (compare-and-set: servers sharing a datastore never move a bundle backwards). Clears the
   * last error. Returns whether it was stored.
   */
  boolean saveFederatedBundle(TrustDomain trustDomain, String bundleJson, long sequence, Instant at);

  /** Records why the last fetch failed; the stored bundle is left as it is. */
  void recordFederationError(TrustDomain trustDomain, String error);

  /**
   * Records issued certificates in one transaction: all or none. A serial already recorded makes
   * the whole batch fail (serials are never reused). Each record is also its {@code svid.issue}
   * line in {@link #auditLog}.
   */
  void recordIssued(List<IssuedRecord> records);

  Optional<IssuedRecord> issued(String serialHex);

  long countIssued();

  void audit(AuditEvent event);

  /** The newest {@code limit} audit events, newest first, issuances ({@code svid.issue}) included. */
  List<AuditEvent> auditLog(int limit);

  /**
   * The pairs (requested by, SPIFFE ID) of every certificate issued at or after {@code since}: what a
   * forced re-issue has reached so far.
   */
  Set<Map.Entry<String, String>> issuedSince(Instant since);

  /**
   * Every X.509-SVID whose notBefore is earlier than this must be re-issued ({@link Instant#EPOCH}
   * when no re-issue was ever forced). Shared by every server on the datastore.
   */
  Instant svidsNotBefore();

  /**
   * Moves the re-issue mark forward to {@code notBefore} (never backwards: compare-and-set), with an
   * audit line; returns whether it moved.
   */
  boolean raiseSvidsNotBefore(Instant notBefore, String actor);

  List<CaRecord> signingCas();

  void saveSigningCa(CaRecord ca);

  void deleteSigningCa(String id);

  /** True when the store answers a trivial query. */
  boolean healthy();

  @Override
  void close();
}
