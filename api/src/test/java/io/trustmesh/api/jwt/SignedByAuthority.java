package io.trustmesh.api.jwt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;

/** A JWS compact token with an ES256 header and any payload bytes, signed with plain JCA. */
final class SignedByAuthority {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private SignedByAuthority() {}

  static String token(PrivateKey key, String kid, byte[] payload) {
    String signingInput = B64.encodeToString(("{\"alg\":\"ES256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}")
        .getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(payload);
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      ASN1Sequence seq = ASN1Sequence.getInstance(s.sign());
      byte[] raw = new byte[64];
      copy(ASN1Integer.getInstance(seq.getObjectAt(0)).getValue().toByteArray(), raw, 0);
      copy(ASN1Integer.getInstance(seq.getObjectAt(1)).getValue().toByteArray(), raw, 32);
      return signingInput + "." + B64.encodeToString(raw);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void copy(byte[] unsigned, byte[] out, int at) {
    int n = Math.min(unsigned.length, 32);
    System.arraycopy(unsigned, unsigned.length - n, out, at + 32 - n, n);
  }
}
