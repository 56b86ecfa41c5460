package io.trustmesh.api.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.trustmesh.core.spiffe.InvalidSpiffeIdException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.jce.spec.ECParameterSpec;

/**
 * JWT-SVIDs (SPIFFE JWT-SVID spec) signed with ES256, and JWK sets of their signing keys. The JOSE
 * work is Nimbus JOSE+JWT's (what java-spiffe uses); this class decides the SPIFFE rules on top of
 * it and fails closed: exactly {@code ES256}, a {@code kid} naming an EC P-256 key of the bundle,
 * no {@code crit} header, a {@code typ} (when present) of {@code JWT} or {@code JOSE}, a {@code sub}
 * that is a workload's SPIFFE ID (of the bundle's trust domain when it is given), the audience among
 * {@code aud}, {@code exp} in the future and {@code nbf} (when present) in the past.
 *
 * <pre>{@code
 * String token = JwtSvids.sign("spiffe://example.org/web", List.of("billing"), now, now.plus(ttl), kid, key);
 * JwtSvids.Claims c = JwtSvids.validate(token, "billing", TrustDomain.parse("example.org"), jwks, now);
 * }</pre>
 */
public final class JwtSvids {
  /** The one algorithm trustmesh signs and accepts. */
  public static final JWSAlgorithm ALGORITHM = JWSAlgorithm.ES256;
  /** The {@code use} of a JWT authority in a SPIFFE bundle. */
  private static final KeyUse JWT_SVID_USE = new KeyUse("jwt-svid");
  private static final Set<JOSEObjectType> TYPES = Set.of(JOSEObjectType.JWT, JOSEObjectType.JOSE);

  private JwtSvids() {}

  /** What a valid token says. */
  public record Claims(String subject, List<String> audience, Instant expiresAt, Map<String, Object> all) {}

  /**
   * Signs a JWT-SVID. The payload is {@code sub}, {@code aud} (always an array, as before Nimbus:
   * Nimbus' claims set would write a single audience as a string), {@code exp} and {@code iat}.
   */
  public static String sign(String subject, List<String> audience, Instant issuedAt, Instant expiresAt,
      String kid, ECPrivateKey key) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", subject);
    claims.put("aud", List.copyOf(audience));
    claims.put("exp", expiresAt.getEpochSecond());
    claims.put("iat", issuedAt.getEpochSecond());
    JWSObject jws = new JWSObject(new JWSHeader.Builder(ALGORITHM).keyID(kid).type(JOSEObjectType.JWT).build(),
        new Payload(claims));
    try {
      jws.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a JWT-SVID: " + e.getMessage(), e);
    }
    return jws.serialize();
  }

  /**
   * Validates a token against the JWK set of its trust domain, for {@code audience}, at {@code now},
   * without checking the subject's trust domain (see the overload that does).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Claims validate(String token, String audience, String jwks, Instant now) {
    return validate(token, audience, Optional.empty(), jwks, now);
  }

  /**
   * Validates a token against the JWK set of {@code trustDomain}: the subject must be a member of
   * it (a key of one trust domain never vouches for another's identities). A null trust domain (a
   * relying party that has no bundle yet) validates nothing.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Claims validate(String token, String audience, TrustDomain trustDomain, String jwks, Instant now) {
    if (trustDomain == null) {
      throw new IllegalArgumentException("no JWT bundle to validate against yet");
    }
    return validate(token, audience, Optional.of(trustDomain), jwks, now);
  }

  private static Claims validate(String token, String audience, Optional<TrustDomain> trustDomain, String jwks,
      Instant now) {
    SignedJWT jwt;
    try {
      // Refuses "alg": "none" (an unsecured JOSE header is not a JWS header) and anything not in
      // three base64url parts.
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new IllegalArgumentException("malformed JWT-SVID: " + e.getMessage());
    }
    JWSHeader header = jwt.getHeader();
    if (!ALGORITHM.equals(header.getAlgorithm())) {
      throw new IllegalArgumentException("unsupported JWT algorithm '" + header.getAlgorithm() + "' (only ES256)");
    }
    if (header.getType() != null && !TYPES.contains(header.getType())) {
      throw new IllegalArgumentException("unsupported JWT type '" + header.getType() + "' (expected JWT or JOSE)");
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      throw new IllegalArgumentException("unsupported critical JWT header parameters " + header.getCriticalParams());
    }
    String kid = header.getKeyID();
    if (kid == null || kid.isEmpty()) {
      throw new IllegalArgumentException("the JWT-SVID has no key ID (kid)");
    }
    ECKey key = authorities(jwks).get(kid);
    if (key == null) {
      throw new IllegalArgumentException("no JWT authority with key ID '" + kid + "' in the bundle");
    }
    try {
      if (!jwt.verify(new ECDSAVerifier(key))) {
        throw new IllegalArgumentException("the JWT-SVID's signature does not verify");
      }
    } catch (JOSEException | IllegalStateException e) {
      throw new IllegalArgumentException("the JWT-SVID's signature does not verify: " + e.getMessage());
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new IllegalArgumentException("malformed JWT-SVID claims: " + e.getMessage());
    }
    SpiffeId subject = subject(claims, trustDomain);
    List<String> aud = claims.getAudience();
    if (!aud.contains(audience)) {
      throw new IllegalArgumentException("audience '" + audience + "' is not among the token's " + aud);
    }
    if (claims.getExpirationTime() == null) {
      throw new IllegalArgumentException("the JWT-SVID has no exp claim");
    }
    Instant exp = claims.getExpirationTime().toInstant();
    if (!now.isBefore(exp)) {
      throw new IllegalArgumentException("the JWT-SVID expired at " + exp);
    }
    if (claims.getNotBeforeTime() != null && now.isBefore(claims.getNotBeforeTime().toInstant())) {
      throw new IllegalArgumentException("the JWT-SVID is not valid before " + claims.getNotBeforeTime().toInstant());
    }
    return new Claims(subject.toString(), aud, exp, claims.toJSONObject());
  }

  private static SpiffeId subject(JWTClaimsSet claims, Optional<TrustDomain> trustDomain) {
    String sub = claims.getSubject();
    if (sub == null || sub.isEmpty()) {
      throw new IllegalArgumentException("the JWT-SVID has no sub claim");
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(sub);
    } catch (InvalidSpiffeIdException e) {
      throw new IllegalArgumentException("the JWT-SVID's sub is not a SPIFFE ID: " + e.getMessage());
    }
    if (id.path().isEmpty()) {
      // The trust domain's own ID names no workload (the X.509-SVID spec refuses it on a leaf too).
      throw new IllegalArgumentException("the JWT-SVID's sub is not a SPIFFE ID of a workload: " + id
          + " is the trust domain ID");
    }
    if (trustDomain.isPresent() && !id.memberOf(trustDomain.get())) {
      throw new IllegalArgumentException("the JWT-SVID's sub " + id + " is not in trust domain " + trustDomain.get());
    }
    return id;
  }

  /** A JWK set with one entry per key: {@code kty EC}, {@code crv P-256}, {@code use jwt-svid}, {@code kid}, {@code x}, {@code y}. */
  public static String jwks(Map<String, ECPublicKey> keys) {
    List<JWK> out = new ArrayList<>();
    keys.forEach((kid, k) -> out.add(new ECKey.Builder(Curve.P_256, k).keyUse(JWT_SVID_USE).keyID(kid).build()));
    return new JWKSet(out).toString();
  }

  /** The keys of a JWK set by key ID (EC P-256 only; others are skipped). */
  public static Map<String, PublicKey> keys(String jwks) {
    Map<String, PublicKey> out = new LinkedHashMap<>();
    authorities(jwks).forEach((kid, k) -> {
      try {
        out.put(kid, k.toECPublicKey());
      } catch (JOSEException e) {
        throw new IllegalArgumentException("malformed JWK set: key '" + kid + "': " + e.getMessage());
      }
    });
    return out;
  }

  /**
   * The EC P-256 keys of a JWK set, by key ID. Keys of other types or curves never match a kid: an
   * RSA or P-384 key published under the kid of a token is as good as no key.
   */
  private static Map<String, ECKey> authorities(String jwks) {
    Map<String, ECKey> out = new LinkedHashMap<>();
    if (jwks == null || jwks.isBlank()) {
      return out;
    }
    JWKSet set;
    try {
      set = JWKSet.parse(jwks);
    } catch (ParseException e) {
      throw new IllegalArgumentException("malformed JWK set: " + e.getMessage());
    }
    for (JWK k : set.getKeys()) {
      if (k instanceof ECKey ec && Curve.P_256.equals(ec.getCurve()) && k.getKeyID() != null
          && (k.getKeyUse() == null || JWT_SVID_USE.equals(k.getKeyUse()))) {
        out.put(k.getKeyID(), ec);
      }
    }
    return out;
  }

  /** The public half of an EC private key (d·G), for keys stored without their public key. */
  public static ECPublicKey publicKeyOf(ECPrivateKey key) {
    try {
      ECParameterSpec bc = EC5Util.convertSpec(key.getParams());
      org.bouncycastle.math.ec.ECPoint q = bc.getG().multiply(key.getS()).normalize();
      ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, key.getParams()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
