package io.trustmesh.api.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.TrustDomain;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.junit.jupiter.api.Test;

/**
 * JWT-SVID validation under attack. Every token here is built byte by byte the way an attacker
 * would (base64url JSON, signed with plain JCA or not at all), never through {@link JwtSvids#sign},
 * so nothing the validator does can make a forged token look right by construction.
 */
class JwtSvidAttacksTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final String WEB = "spiffe://example.org/web";
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final long EXP = NOW.plusSeconds(300).getEpochSecond();
  static final String KID = "k1";
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  final KeyPair authority = KeyType.EC_P256.generate();
  final String jwks = JwtSvids.jwks(Map.of(KID, (ECPublicKey) authority.getPublic()));

  // ------------------------------------------------------------ the baseline the attacks start from

  @Test
  void aTokenSignedByTheAuthorityValidates() {
    String token = es256(header(KID), claims(WEB, "[\"billing\"]", EXP), authority.getPrivate());

    JwtSvids.Claims c = JwtSvids.validate(token, "billing", TD, jwks, NOW);

    assertThat(c.subject()).isEqualTo(WEB);
    assertThat(c.audience()).containsExactly("billing");
    assertThat(c.expiresAt()).isEqualTo(Instant.ofEpochSecond(EXP));
  }

  @Test
  void whatWeSignKeepsTheWireFormat() {
    String token = JwtSvids.sign(WEB, List.of("billing"), NOW, NOW.plusSeconds(300), KID,
        (ECPrivateKey) authority.getPrivate());
    String[] parts = token.split("\\.");

    assertThat(decode(parts[0])).isEqualTo("{\"kid\":\"k1\",\"typ\":\"JWT\",\"alg\":\"ES256\"}");
    assertThat(decode(parts[1])).isEqualTo("{\"sub\":\"spiffe://example.org/web\",\"aud\":[\"billing\"],\"exp\":"
        + EXP + ",\"iat\":" + NOW.getEpochSecond() + "}");
    assertThat(Base64.getUrlDecoder().decode(parts[2])).as("ES256: raw r||s, not DER").hasSize(64);
    assertThat(jwks).contains("\"kty\":\"EC\"", "\"crv\":\"P-256\"", "\"use\":\"jwt-svid\"", "\"kid\":\"k1\"");
    assertThat(JwtSvids.validate(token, "billing", TD, jwks, NOW).subject()).isEqualTo(WEB);
  }

  // ------------------------------------------------------------ signatures

  @Test
  void aTamperedSignatureIsRefused() {
    String token = es256(header(KID), claims(WEB, "[\"billing\"]", EXP), authority.getPrivate());
    byte[] sig = Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1));
    sig[10] ^= 0x01;
    String tampered = token.substring(0, token.lastIndexOf('.') + 1) + B64.encodeToString(sig);

    assertRefused(tampered, "signature does not verify");
  }

  @Test
  void aTamperedPayloadUnderTheOriginalSignatureIsRefused() {
    String token = es256(header(KID), claims(WEB, "[\"billing\"]", EXP), authority.getPrivate());
    String[] parts = token.split("\\.");
    String admin = b64(claims("spiffe://example.org/admin", "[\"billing\"]", EXP));

    assertRefused(parts[0] + "." + admin + "." + parts[2], "signature does not verify");
  }

  @Test
  void aTokenSignedByAKeyOutsideTheBundleUnderItsKidIsRefused() {
    KeyPair attacker = KeyType.EC_P256.generate();

    assertRefused(es256(header(KID), claims(WEB, "[\"billing\"]", EXP), attacker.getPrivate()),
        "signature does not verify");
  }

  @Test
  void anAllZeroEcdsaSignatureIsRefused() {
    // CVE-2022-21449 ("psychic signatures"): r = s = 0 verified for any message on unpatched JDKs.
    String token = b64(header(KID)) + "." + b64(claims(WEB, "[\"billing\"]", EXP)) + "." + B64.encodeToString(new byte[64]);

    assertRefused(token, "signature does not verify");
  }

  @Test
  void aDerEncodedSignatureIsRefused() {
    String signingInput = b64(header(KID)) + "." + b64(claims(WEB, "[\"billing\"]", EXP));
    byte[] der = sign("SHA256withECDSA", authority.getPrivate(), signingInput);

    assertRefused(signingInput + "." + B64.encodeToString(der), "signature does not verify");
  }

  // ------------------------------------------------------------ algorithms

  @Test
  void algNoneWithoutASignatureIsRefused() {
    String token = b64("{\"alg\":\"none\",\"kid\":\"k1\",\"typ\":\"JWT\"}") + "." + b64(claims(WEB, "[\"billing\"]", EXP)) + ".";

    assertRefused(token, "malformed JWT-SVID");
  }

  @Test
  void algNoneKeepingAValidSignatureIsRefused() {
    String valid = es256(header(KID), claims(WEB, "[\"billing\"]", EXP), authority.getPrivate());
    String token = b64("{\"alg\":\"none\",\"kid\":\"k1\"}") + valid.substring(valid.indexOf('.'));

    assertRefused(token, "malformed JWT-SVID");
  }

  @Test
  void algNoneSpelledDifferentlyIsRefused() {
    String valid = es256(header(KID), claims(WEB, "[\"billing\"]", EXP), authority.getPrivate());
    String token = b64("{\"alg\":\"None\",\"kid\":\"k1\"}") + valid.substring(valid.indexOf('.'));

    assertRefused(token, "unsupported JWT algorithm 'None'");
  }

  @Test
  void hs256WithThePublishedJwksAsTheSecretIsRefused() {
    assertRefused(hs256(jwks.getBytes(StandardCharsets.UTF_8)), "unsupported JWT algorithm 'HS256'");
  }

  @Test
  void hs256WithThePublicKeyAsTheSecretIsRefused() {
    // The classic confusion: a verifier that feeds "the key for this kid" to whatever alg the header
    // names would check an HMAC keyed with public bytes the attacker knows.
    assertRefused(hs256(authority.getPublic().getEncoded()), "unsupported JWT algorithm 'HS256'");
    ECPublicKey pub = (ECPublicKey) authority.getPublic();
    byte[] xy = concat(fixed(pub.getW().getAffineX()), fixed(pub.getW().getAffineY()));
    assertRefused(hs256(xy), "unsupported JWT algorithm 'HS256'");
  }

  @Test
  void rs256WithAnRsaKeyPublishedUnderTheKidIsRefused() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair rsa = g.generateKeyPair();
    RSAPublicKey rpub = (RSAPublicKey) rsa.getPublic();
    String mixed = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r1\",\"use\":\"jwt-svid\",\"n\":\""
        + B64.encodeToString(rpub.getModulus().toByteArray()) + "\",\"e\":\""
        + B64.encodeToString(rpub.getPublicExponent().toByteArray()) + "\"}," + jwks.substring(jwks.indexOf('[') + 1);
    String signingInput = b64("{\"alg\":\"RS256\",\"kid\":\"r1\",\"typ\":\"JWT\"}") + "." + b64(claims(WEB, "[\"billing\"]", EXP));
    String rs256 = signingInput + "." + B64.encodeToString(sign("SHA256withRSA", rsa.getPrivate(), signingInput));

    assertThatThrownBy(() -> JwtSvids.validate(rs256, "billing", TD, mixed, NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported JWT algorithm 'RS256'");
    // ... and an ES256 header naming the RSA key's kid finds no EC authority there.
    String es256 = es256(header("r1"), claims(WEB, "[\"billing\"]", EXP), authority.getPrivate());
    assertThatThrownBy(() -> JwtSvids.validate(es256, "billing", TD, mixed, NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no JWT authority with key ID 'r1'");
  }

  @Test
  void es256NamingAP384KeyIsRefused() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = g.generateKeyPair();
    ECPublicKey pub = (ECPublicKey) p384.getPublic();
    String withP384 = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"kid\":\"p384\",\"x\":\""
        + B64.encodeToString(fixed(pub.getW().getAffineX(), 48)) + "\",\"y\":\""
        + B64.encodeToString(fixed(pub.getW().getAffineY(), 48)) + "\"}]}";
    String signingInput = b64("{\"alg\":\"ES384\",\"kid\":\"p384\"}") + "." + b64(claims(WEB, "[\"billing\"]", EXP));
    String es384 = signingInput + "." + B64.encodeToString(raw(sign("SHA384withECDSA", p384.getPrivate(), signingInput), 48));

    assertThatThrownBy(() -> JwtSvids.validate(es384, "billing", TD, withP384, NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported JWT algorithm 'ES384'");
    String es256 = es256(header("p384"), claims(WEB, "[\"billing\"]", EXP), p384.getPrivate());
    assertThatThrownBy(() -> JwtSvids.validate(es256, "billing", TD, withP384, NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no JWT authority with key ID 'p384'");
  }

  @Test
  void aKeyPublishedForX509SvidsDoesNotSignJwtSvids() {
    String x509Use = jwks.replace("\"use\":\"jwt-svid\"", "\"use\":\"x509-svid\"");

    assertThatThrownBy(() -> JwtSvids.validate(
        es256(header(KID), claims(WEB, "[\"billing\"]", EXP), authority.getPrivate()), "billing", TD, x509Use, NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no JWT authority with key ID 'k1'");
  }

  // ------------------------------------------------------------ header

  @Test
  void anUnknownKidIsRefused() {
    assertRefused(es256(header("k2"), claims(WEB, "[\"billing\"]", EXP), authority.getPrivate()),
        "no JWT authority with key ID 'k2'");
  }

  @Test
  void aMissingKidIsRefused() {
    assertRefused(es256("{\"alg\":\"ES256\",\"typ\":\"JWT\"}", claims(WEB, "[\"billing\"]", EXP), authority.getPrivate()),
        "no key ID");
  }

  @Test
  void aCriticalHeaderWeDoNotUnderstandIsRefused() {
    assertRefused(es256("{\"alg\":\"ES256\",\"kid\":\"k1\",\"crit\":[\"exp-policy\"],\"exp-policy\":\"ignore\"}",
        claims(WEB, "[\"billing\"]", EXP), authority.getPrivate()), "critical JWT header");
  }

  @Test
  void aTypeOtherThanJwtOrJoseIsRefused() {
    assertRefused(es256("{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\"}", claims(WEB, "[\"billing\"]", EXP),
        authority.getPrivate()), "unsupported JWT type 'at+jwt'");
  }

  // ------------------------------------------------------------ subject

  @Test
  void aSubjectThatIsNotASpiffeIdIsRefused() {
    for (String sub : List.of("web", "https://example.org/web", "spiffe://example.org/a/../admin",
        "spiffe://EXAMPLE.org/web", "spiffe://example.org/web?x=1", "spiffe:///web", "spiffe://example.org/web/")) {
      assertRefused(es256(header(KID), claims(sub, "[\"billing\"]", EXP), authority.getPrivate()),
          "sub is not a SPIFFE ID");
    }
    assertRefused(es256(header(KID), claims("spiffe://example.org", "[\"billing\"]", EXP), authority.getPrivate()),
        "spiffe://example.org is the trust domain ID");
  }

  @Test
  void aMissingOrNonStringSubjectIsRefused() {
    assertRefused(es256(header(KID), "{\"aud\":[\"billing\"],\"exp\":" + EXP + "}", authority.getPrivate()),
        "no sub claim");
    assertRefused(es256(header(KID), "{\"sub\":[\"" + WEB + "\"],\"aud\":[\"billing\"],\"exp\":" + EXP + "}",
        authority.getPrivate()), "malformed JWT-SVID claims");
  }

  @Test
  void aSubjectOfAnotherTrustDomainIsRefused() {
    String token = es256(header(KID), claims("spiffe://evil.example/web", "[\"billing\"]", EXP), authority.getPrivate());

    assertRefused(token, "is not in trust domain example.org");
  }

  // ------------------------------------------------------------ time

  @Test
  void anExpiredTokenIsRefused() {
    String token = es256(header(KID), claims(WEB, "[\"billing\"]", EXP), authority.getPrivate());

    assertThatThrownBy(() -> JwtSvids.validate(token, "billing", TD, jwks, Instant.ofEpochSecond(EXP)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expired at");
    assertThatThrownBy(() -> JwtSvids.validate(token, "billing", TD, jwks, Instant.ofEpochSecond(EXP + 3600)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expired at");
  }

  @Test
  void aTokenWithoutExpiryIsRefused() {
    assertRefused(es256(header(KID), "{\"sub\":\"" + WEB + "\",\"aud\":[\"billing\"]}", authority.getPrivate()),
        "no exp claim");
  }

  @Test
  void aTokenNotYetValidIsRefused() {
    long nbf = NOW.plusSeconds(60).getEpochSecond();
    String token = es256(header(KID), "{\"sub\":\"" + WEB + "\",\"aud\":[\"billing\"],\"exp\":" + EXP + ",\"nbf\":" + nbf + "}",
        authority.getPrivate());

    assertRefused(token, "not valid before");
    assertThat(JwtSvids.validate(token, "billing", TD, jwks, Instant.ofEpochSecond(nbf)).subject()).isEqualTo(WEB);
  }

  // ------------------------------------------------------------ audience

  @Test
  void aTokenForAnotherAudienceIsRefused() {
    assertRefused(es256(header(KID), claims(WEB, "[\"payroll\"]", EXP), authority.getPrivate()),
        "audience 'billing' is not among the token's [payroll]");
    assertRefused(es256(header(KID), claims(WEB, "\"billing-eu\"", EXP), authority.getPrivate()),
        "audience 'billing' is not among the token's [billing-eu]");
    assertRefused(es256(header(KID), "{\"sub\":\"" + WEB + "\",\"exp\":" + EXP + "}", authority.getPrivate()),
        "audience 'billing' is not among the token's []");
  }

  @Test
  void aSingleStringAudienceIsAccepted() {
    // RFC 7519 4.1.3 allows either form; java-spiffe and SPIRE accept both.
    String token = es256(header(KID), claims(WEB, "\"billing\"", EXP), authority.getPrivate());

    assertThat(JwtSvids.validate(token, "billing", TD, jwks, NOW).audience()).containsExactly("billing");
  }

  // ------------------------------------------------------------ shape

  @Test
  void malformedTokensAreRefusedWithOneLine() {
    for (String bad : List.of("", "a", "a.b", "a.b.c.d", "..", "!!!.!!!.!!!", b64("{}") + "." + b64("{}") + ".")) {
      assertThatThrownBy(() -> JwtSvids.validate(bad, "billing", TD, jwks, NOW))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ------------------------------------------------------------ helpers: an attacker's toolbox

  private void assertRefused(String token, String reason) {
    assertThatThrownBy(() -> JwtSvids.validate(token, "billing", TD, jwks, NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
  }

  private static String header(String kid) {
    return "{\"alg\":\"ES256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
  }

  private static String claims(String sub, String audJson, long exp) {
    return "{\"sub\":\"" + sub + "\",\"aud\":" + audJson + ",\"exp\":" + exp + ",\"iat\":" + NOW.getEpochSecond() + "}";
  }

  private static String es256(String header, String claims, PrivateKey key) {
    String signingInput = b64(header) + "." + b64(claims);
    return signingInput + "." + B64.encodeToString(raw(sign("SHA256withECDSA", key, signingInput), 32));
  }

  private String hs256(byte[] secret) {
    String signingInput = b64("{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}") + "." + b64(claims(WEB, "[\"billing\"]", EXP));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sign(String algorithm, PrivateKey key, String signingInput) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** DER (SEQUENCE of r, s) to JWS's fixed-size r||s. */
  private static byte[] raw(byte[] der, int size) {
    ASN1Sequence seq = ASN1Sequence.getInstance(der);
    return concat(fixed(ASN1Integer.getInstance(seq.getObjectAt(0)).getValue(), size),
        fixed(ASN1Integer.getInstance(seq.getObjectAt(1)).getValue(), size));
  }

  private static byte[] fixed(BigInteger v) {
    return fixed(v, 32);
  }

  private static byte[] fixed(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[size];
    int n = Math.min(b.length, size);
    System.arraycopy(b, b.length - n, out, size - n, n);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String b64(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String part) {
    return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
  }
}
