package io.trustmesh.server.datastore;

import io.trustmesh.core.spiffe.SpiffeId;
import java.time.Instant;

/** One certificate the server signed: serial (lowercase hex), subject SPIFFE ID, expiry, who asked. */
public record IssuedRecord(String serial, SpiffeId spiffeId, Instant notAfter, Instant issuedAt,
    String requestedBy) {}
