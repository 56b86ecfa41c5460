package io.trustmesh.server.datastore;

import io.trustmesh.core.spiffe.SpiffeId;
import java.time.Instant;

/** A one-time join token: whoever presents it before {@code expiresAt} attests as {@code spiffeId}, once. */
public record JoinToken(String token, SpiffeId spiffeId, Instant expiresAt) {
  @Override
  public String toString() {
    return "JoinToken{" + spiffeId + ", expiresAt=" + expiresAt + ", token=****}";
  }
}
