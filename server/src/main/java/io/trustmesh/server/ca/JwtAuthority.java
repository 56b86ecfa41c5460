package io.trustmesh.server.ca;

import io.trustmesh.api.jwt.JwtSvids;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.server.keymanager.KeyManager;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The key that signs JWT-SVIDs (ES256), kept by the key manager under {@value #KEY_ID}; its public
 * half is published in the bundle as a JWK set. The key ID is derived from the public key, so it
 * stays the same across restarts. The key is long-lived: unlike the X.509 signing CA it is not
 * rotated (see docs/rotation.md, "Limits").
 */
public final class JwtAuthority {
  static final String KEY_ID = "jwt-signing";
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  private final ECPrivateKey key;
  private final ECPublicKey publicKey;
  private final String kid;
  private final Clock clock;

  private JwtAuthority(ECPrivateKey key, Clock clock) {
    this.key = key;
    this.publicKey = JwtSvids.publicKeyOf(key);
    this.kid = kidOf(publicKey);
    this.clock = clock;
  }

  public static JwtAuthority load(KeyManager keys, Clock clock) {
    PrivateKey k = keys.get(KEY_ID).orElseGet(() -> {
      PrivateKey fresh = KeyType.EC_P256.generate().getPrivate();
      keys.put(KEY_ID, fresh);
      return fresh;
    });
    // Through the JDK key factory: a key read back from PEM may come from another provider.
    PrivateKey normalized = io.trustmesh.api.grpc.Der.privateKey(com.google.protobuf.ByteString.copyFrom(k.getEncoded()));
    return new JwtAuthority((ECPrivateKey) normalized, clock);
  }

  public String sign(SpiffeId subject, List<String> audience, Duration ttl) {
    Instant now = clock.instant();
    return JwtSvids.sign(subject.toString(), audience, now, now.plus(ttl), kid, key);
  }

  public String jwks() {
    return JwtSvids.jwks(Map.of(kid, publicKey));
  }

  private static String kidOf(ECPublicKey k) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(k.getEncoded());
      return HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
