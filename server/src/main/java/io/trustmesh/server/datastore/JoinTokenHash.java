package io.trustmesh.server.datastore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the datastore keeps of a join token: its SHA-256, never the token. A token is 128 random
 * bits, so the hash needs no salt or stretching; whoever reads the datastore learns nothing they can
 * present to the node API, which hashes what it is given and compares hashes in constant time.
 */
final class JoinTokenHash {
  private JoinTokenHash() {}

  /** Lower-case hex SHA-256 of the token's UTF-8 bytes (64 characters). */
  static String of(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Compares two hex hashes without leaking, through timing, how much of them agrees. */
  static boolean matches(String storedHex, String presentedHex) {
    return MessageDigest.isEqual(storedHex.getBytes(StandardCharsets.US_ASCII),
        presentedHex.getBytes(StandardCharsets.US_ASCII));
  }
}
