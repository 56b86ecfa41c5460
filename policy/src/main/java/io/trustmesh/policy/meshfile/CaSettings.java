package io.trustmesh.policy.meshfile;

import java.time.Duration;

/**
 * The CA hierarchy's lifetimes and key type. Defaults follow {@code ../shared/DESIGN.md}: root 10
 * years, intermediate 1 year, signing CA 168h (SPIRE's {@code ca_ttl} in the seed), SVIDs 1h, EC P-256.
 */
public record CaSettings(Duration rootTtl, Duration intermediateTtl, Duration signingCaTtl, Duration svidTtl,
    KeyType keyType) {
  public static final Duration DEFAULT_ROOT_TTL = Duration.ofDays(3650);
  public static final Duration DEFAULT_INTERMEDIATE_TTL = Duration.ofDays(365);
  public static final Duration DEFAULT_SIGNING_CA_TTL = Duration.ofHours(168);
  public static final Duration DEFAULT_SVID_TTL = Duration.ofHours(1);

  /** Key algorithms, spelled as in the mesh file. */
  public enum KeyType {
    EC_P256("ec-p256"),
    EC_P384("ec-p384"),
    RSA_2048("rsa-2048"),
    RSA_4096("rsa-4096");

    private final String spelling;

    KeyType(String spelling) {
      this.spelling = spelling;
    }

    public String spelling() {
      return spelling;
    }

    static KeyType of(String spelling) {
      for (KeyType k : values()) {
        if (k.spelling.equals(spelling)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown key type: " + spelling);
    }
  }

  public static CaSettings defaults() {
    return new CaSettings(DEFAULT_ROOT_TTL, DEFAULT_INTERMEDIATE_TTL, DEFAULT_SIGNING_CA_TTL, DEFAULT_SVID_TTL,
        KeyType.EC_P256);
  }
}
