package io.trustmesh.api.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * JWT-SVIDs (SPIFFE JWT-SVID spec) signed with ES256, and JWK sets of their signing keys. Kept
 * small on purpose: one algorithm, compact serialization, the claims the spec requires
 * ({@code sub}, {@code aud}, {@code exp}, plus {@code iat}).
 */
public final class JwtSvids {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder D64 = Base64.getUrlDecoder();

  private JwtSvids() {}

  /** What a valid token says. */
  public record Claims(String subject, List<String> audience, Instant expiresAt, Map<String, Object> all) {}

  public static String sign(String subject, List<String> audience, Instant issuedAt, Instant expiresAt,
      String kid, PrivateKey key) {
    ObjectNode header = JSON.createObjectNode().put("alg", "ES256").put("kid", kid).put("typ", "JWT");
    ObjectNode claims = JSON.createObjectNode().put("sub", subject);
    ArrayNode aud = claims.putArray("aud");
    audience.forEach(aud::add);
    claims.put("exp", expiresAt.getEpochSecond()).put("iat", issuedAt.getEpochSecond());
    String input = B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(derToRaw(s.sign(), 32));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a JWT-SVID: " + e.getMessage(), e);
    }
  }

  /**
   * Validates a token against the JWK set of its trust domain, for {@code audience}, at {@code now}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Claims validate(String token, String audience, String jwks, Instant now) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("a JWT-SVID has three dot-separated parts; this has " + parts.length);
    }
    JsonNode header;
    JsonNode claims;
    try {
      header = JSON.readTree(D64.decode(parts[0]));
      claims = JSON.readTree(D64.decode(parts[1]));
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed JWT-SVID: " + e.getMessage());
    }
    if (!"ES256".equals(header.path("alg").asText())) {
      throw new IllegalArgumentException("unsupported JWT algorithm '" + header.path("alg").asText() + "'");
    }
    String kid = header.path("kid").asText();
    PublicKey key = keys(jwks).get(kid);
    if (key == null) {
      throw new IllegalArgumentException("no JWT authority with key ID '" + kid + "' in the bundle");
    }
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initVerify(key);
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!s.verify(rawToDer(D64.decode(parts[2])))) {
        throw new IllegalArgumentException("the JWT-SVID's signature does not verify");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the JWT-SVID's signature does not verify: " + e.getMessage());
    }
    List<String> aud = claims.path("aud").isArray()
        ? java.util.stream.StreamSupport.stream(claims.path("aud").spliterator(), false).map(JsonNode::asText).toList()
        : List.of(claims.path("aud").asText());
    if (!aud.contains(audience)) {
      throw new IllegalArgumentException("audience '" + audience + "' is not among the token's " + aud);
    }
    if (!claims.has("exp")) {
      throw new IllegalArgumentException("the JWT-SVID has no exp claim");
    }
    Instant exp = Instant.ofEpochSecond(claims.path("exp").asLong());
    if (!now.isBefore(exp)) {
      throw new IllegalArgumentException("the JWT-SVID expired at " + exp);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> all = JSON.convertValue(claims, Map.class);
    return new Claims(claims.path("sub").asText(), aud, exp, all);
  }

  /** A JWK set with one entry per key: {@code kty EC}, {@code crv P-256}, {@code x}, {@code y}, {@code kid}. */
  public static String jwks(Map<String, ECPublicKey> keys) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode arr = root.putArray("keys");
    keys.forEach((kid, k) -> arr.addObject().put("kty", "EC").put("crv", "P-256").put("use", "jwt-svid")
        .put("kid", kid)
        .put("x", B64.encodeToString(fixed(k.getW().getAffineX(), 32)))
        .put("y", B64.encodeToString(fixed(k.getW().getAffineY(), 32))));
    return root.toString();
  }

  /** The keys of a JWK set by key ID (EC P-256 only; others are skipped). */
  public static Map<String, PublicKey> keys(String jwks) {
    Map<String, PublicKey> out = new java.util.LinkedHashMap<>();
    if (jwks == null || jwks.isBlank()) {
      return out;
    }
    try {
      for (JsonNode k : JSON.readTree(jwks).path("keys")) {
        if (!"EC".equals(k.path("kty").asText()) || !"P-256".equals(k.path("crv").asText())) {
          continue;
        }
        ECParameterSpec p256 = p256();
        ECPoint w = new ECPoint(new BigInteger(1, D64.decode(k.path("x").asText())),
            new BigInteger(1, D64.decode(k.path("y").asText())));
        out.put(k.path("kid").asText(), KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, p256)));
      }
    } catch (java.io.IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("malformed JWK set: " + e.getMessage());
    }
    return out;
  }

  private static ECParameterSpec p256() throws GeneralSecurityException {
    java.security.AlgorithmParameters ap = java.security.AlgorithmParameters.getInstance("EC");
    ap.init(new java.security.spec.ECGenParameterSpec("secp256r1"));
    return ap.getParameterSpec(ECParameterSpec.class);
  }

  /** The public half of an EC private key (d·G), for keys stored without their public key. */
  public static ECPublicKey publicKeyOf(java.security.interfaces.ECPrivateKey key) {
    try {
      org.bouncycastle.jce.spec.ECParameterSpec bc =
          org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util.convertSpec(key.getParams());
      org.bouncycastle.math.ec.ECPoint q = bc.getG().multiply(key.getS()).normalize();
      ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, key.getParams()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] fixed(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    if (b.length == size) {
      return b;
    }
    byte[] out = new byte[size];
    if (b.length > size) {
      System.arraycopy(b, b.length - size, out, 0, size);
    } else {
      System.arraycopy(b, 0, out, size - b.length, b.length);
    }
    return out;
  }

  /** ASN.1 DER ECDSA signature (SEQUENCE of r, s) to JWS's fixed-size r||s. */
  static byte[] derToRaw(byte[] der, int size) {
    try {
      org.bouncycastle.asn1.ASN1Sequence seq = org.bouncycastle.asn1.ASN1Sequence.getInstance(der);
      BigInteger r = org.bouncycastle.asn1.ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
      BigInteger s = org.bouncycastle.asn1.ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
      byte[] out = new byte[2 * size];
      System.arraycopy(fixed(r, size), 0, out, 0, size);
      System.arraycopy(fixed(s, size), 0, out, size, size);
      return out;
    } catch (RuntimeException e) {
      throw new IllegalStateException("malformed ECDSA signature", e);
    }
  }

  static byte[] rawToDer(byte[] raw) {
    if (raw.length != 64) {
      throw new IllegalArgumentException("an ES256 signature is 64 bytes; this is " + raw.length);
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(raw, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(raw, 32, 64));
    try {
      return new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
          new org.bouncycastle.asn1.ASN1Integer(r), new org.bouncycastle.asn1.ASN1Integer(s)}).getEncoded();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

}
