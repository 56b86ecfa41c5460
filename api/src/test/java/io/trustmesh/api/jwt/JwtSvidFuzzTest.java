package io.trustmesh.api.jwt;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * JWT-SVIDs are untrusted bytes wherever they are validated (the agent's ValidateJWTSVID, any
 * relying party): {@link JwtSvids#validate} refuses with one {@link IllegalArgumentException} or
 * returns claims that satisfy every rule it promises. The authority's key is fixed so that the
 * checked-in seeds (tokens it signed) verify and the fuzzer starts from valid tokens. Regression
 * inputs: {@code src/test/resources/io/trustmesh/api/jwt/JwtSvidFuzzTestInputs/}.
 */
class JwtSvidFuzzTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  /** A P-256 test key, used nowhere else; kid {@code fuzz}. */
  static final ECPrivateKey KEY = privateKey(
      "MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCDrA/2gkvz07Yvs1yDEXbxlkemiAEJhDTm0naNWc+osbg==");
  static final String JWKS = JwtSvids.jwks(Map.of("fuzz", JwtSvids.publicKeyOf(KEY)));

  /** Any token text, as a workload would send it to ValidateJWTSVID. */
  @FuzzTest(maxDuration = "5m")
  void validate(byte[] data) {
    String token = new String(data, StandardCharsets.UTF_8);
    JwtSvids.Claims claims;
    try {
      claims = JwtSvids.validate(token, "billing", TD, JWKS, NOW);
    } catch (IllegalArgumentException refused) {
      return;
    }
    checkAccepted(claims, token);
  }

  /**
   * Any claims set, signed by the real authority: what the validator does with claims it can
   * only see after the signature verified (types, shapes, sizes of sub, aud, exp, nbf).
   */
  @FuzzTest(maxDuration = "5m")
  void signedClaims(byte[] data) {
    String token = SignedByAuthority.token(KEY, "fuzz", data);
    JwtSvids.Claims claims;
    try {
      claims = JwtSvids.validate(token, "billing", TD, JWKS, NOW);
    } catch (IllegalArgumentException refused) {
      return;
    }
    checkAccepted(claims, new String(data, StandardCharsets.UTF_8));
  }

  private static void checkAccepted(JwtSvids.Claims claims, String input) {
    SpiffeId sub = SpiffeId.parse(claims.subject());
    if (!sub.memberOf(TD) || sub.path().isEmpty()) {
      throw new AssertionError("accepted a sub outside the trust domain or without a path: " + input);
    }
    if (!claims.audience().contains("billing")) {
      throw new AssertionError("accepted a token for other audiences " + claims.audience() + ": " + input);
    }
    if (!NOW.isBefore(claims.expiresAt())) {
      throw new AssertionError("accepted a token that expired at " + claims.expiresAt() + ": " + input);
    }
  }

  private static ECPrivateKey privateKey(String pkcs8) {
    try {
      return (ECPrivateKey) KeyFactory.getInstance("EC")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
