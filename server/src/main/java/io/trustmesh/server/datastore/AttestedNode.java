package io.trustmesh.server.datastore;

import io.trustmesh.core.spiffe.SpiffeId;
import java.time.Instant;

/** An agent that attested: its SPIFFE ID and its current SVID's serial and expiry. */
public record AttestedNode(SpiffeId spiffeId, String attestationType, String serial, Instant expiresAt,
    Instant attestedAt) {}
