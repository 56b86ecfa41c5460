package io.trustmesh.server.datastore;

import java.time.Instant;

/**
 * A signing CA the server minted: its certificate chain (PEM) and the key manager's ID for its key.
 *
 * @param activatedAt when it started signing; null while it is only prepared (published)
 */
public record CaRecord(String id, String chainPem, String keyId, Instant notAfter, Instant createdAt,
    Instant activatedAt) {}
