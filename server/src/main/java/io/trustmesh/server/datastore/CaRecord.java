package io.trustmesh.server.datastore;

import java.time.Instant;

/**
 * A signing CA a server minted: its certificate chain (PEM), the key manager's ID for its key and
 * the public half of its JWT-SVID key. With several servers on one datastore every server reads
 * every row (the bundle is their union) but only the server whose key manager holds the key signs
 * with it or rotates it.
 *
 * @param activatedAt when it started signing; null while it is only prepared (published)
 * @param jwtPublicKey base64 DER SubjectPublicKeyInfo of its JWT-SVID key; null when unknown
 */
public record CaRecord(String id, String chainPem, String keyId, Instant notAfter, Instant createdAt,
    Instant activatedAt, String jwtPublicKey) {
  public CaRecord(String id, String chainPem, String keyId, Instant notAfter, Instant createdAt,
      Instant activatedAt) {
    this(id, chainPem, keyId, notAfter, createdAt, activatedAt, null);
  }
}
