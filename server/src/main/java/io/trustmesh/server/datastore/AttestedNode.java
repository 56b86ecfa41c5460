package io.trustmesh.server.datastore;

import io.trustmesh.core.spiffe.SpiffeId;
import java.time.Instant;
import java.util.Optional;

/**
 * An agent that attested: its SPIFFE ID and the one agent SVID the node API accepts from it,
 * pinned by serial. After a renewal the new SVID is pending ({@code newSerial}) until the agent
 * first uses it; then it becomes the current one and the old serial is refused. An evicted
 * ({@code banned}) node is refused whatever it presents until it attests again with a new token.
 *
 * @param newSerial the renewed SVID's serial while the agent has not used it yet; null otherwise
 * @param newExpiresAt that SVID's notAfter; null when {@code newSerial} is
 */
public record AttestedNode(SpiffeId spiffeId, String attestationType, String serial, Instant expiresAt,
    Instant attestedAt, String newSerial, Instant newExpiresAt, boolean banned) {

  /** A freshly attested node: one current SVID, nothing pending, not banned. */
  public AttestedNode(SpiffeId spiffeId, String attestationType, String serial, Instant expiresAt,
      Instant attestedAt) {
    this(spiffeId, attestationType, serial, expiresAt, attestedAt, null, null, false);
  }

  public Optional<String> pendingSerial() {
    return Optional.ofNullable(newSerial);
  }
}
