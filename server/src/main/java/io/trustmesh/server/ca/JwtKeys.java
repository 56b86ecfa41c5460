package io.trustmesh.server.ca;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The public half of a CA's JWT-SVID key as the datastore keeps it (base64 DER
 * SubjectPublicKeyInfo), so that every server of an HA group publishes the keys of the others.
 */
final class JwtKeys {
  private JwtKeys() {}

  static String encode(ECPublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  static SigningAuthority.JwtKeyPublic decode(String base64) {
    try {
      ECPublicKey k = (ECPublicKey) KeyFactory.getInstance("EC")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
      return new SigningAuthority.JwtKeyPublic(SigningAuthority.JwtKey.kidOf(k), k);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException("a signing CA's JWT public key in the datastore is unreadable: " + e.getMessage(), e);
    }
  }
}
