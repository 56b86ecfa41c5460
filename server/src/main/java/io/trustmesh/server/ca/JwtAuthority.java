package io.trustmesh.server.ca;

import io.trustmesh.api.jwt.JwtSvids;
import io.trustmesh.core.spiffe.SpiffeId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Signs JWT-SVIDs (ES256) with the active signing CA's JWT key and renders the JWK set of every
 * JWT key in the bundle. The keys rotate with the signing CAs ({@link SigningAuthority}); a token
 * never outlives the CA whose key signed it.
 */
public final class JwtAuthority {
  /** The lifetime of the JWT-SVIDs the server hands out. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  private final SigningAuthority authority;
  private final Clock clock;

  public JwtAuthority(SigningAuthority authority, Clock clock) {
    this.authority = authority;
    this.clock = clock;
  }

  public String sign(SpiffeId subject, List<String> audience, Duration ttl) {
    SigningAuthority.JwtKey key = authority.activeJwtKey();
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    if (expires.isAfter(key.notAfter())) {
      expires = key.notAfter();
    }
    return JwtSvids.sign(subject.toString(), audience, now, expires, key.kid(), key.privateKey());
  }

  public String jwks() {
    return JwtSvids.jwks(authority.jwtAuthorities());
  }
}
