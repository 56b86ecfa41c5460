package io.trustmesh.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.api.grpc.Der;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The SPIFFE bundle format (SPIFFE Trust Domain and Bundle spec, section 4): a JWK set whose keys
 * carry {@code "use": "x509-svid"} and the authority certificate in {@code x5c}, plus
 * {@code spiffe_sequence} and {@code spiffe_refresh_hint}.
 */
public final class SpiffeBundleJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SpiffeBundleJson() {}

  /** The X.509 authorities, plus the JWT authorities of {@code jwks} (a JWK set; may be empty). */
  public static String render(List<X509Certificate> authorities, String jwks, long sequence, Duration refreshHint) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode keys = root.putArray("keys");
    if (jwks != null && !jwks.isBlank()) {
      try {
        JSON.readTree(jwks).path("keys").forEach(k -> keys.add(((ObjectNode) k.deepCopy()).put("use", "jwt-svid")));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("malformed JWT authorities: " + e.getMessage(), e);
      }
    }
    for (X509Certificate c : authorities) {
      ObjectNode k = keys.addObject();
      k.put("use", "x509-svid");
      if (c.getPublicKey() instanceof ECPublicKey ec) {
        int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        k.put("kty", "EC");
        k.put("crv", "P-" + ec.getParams().getCurve().getField().getFieldSize());
        k.put("x", b64(fixed(ec.getW().getAffineX(), size)));
        k.put("y", b64(fixed(ec.getW().getAffineY(), size)));
      } else if (c.getPublicKey() instanceof RSAPublicKey rsa) {
        k.put("kty", "RSA");
        k.put("n", b64(unsigned(rsa.getModulus())));
        k.put("e", b64(unsigned(rsa.getPublicExponent())));
      }
      k.putArray("x5c").add(Base64.getEncoder().encodeToString(Der.encoded(c)));
    }
    root.put("spiffe_sequence", sequence);
    root.put("spiffe_refresh_hint", refreshHint.toSeconds());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static byte[] fixed(BigInteger v, int size) {
    byte[] u = unsigned(v);
    if (u.length == size) {
      return u;
    }
    byte[] out = new byte[size];
    System.arraycopy(u, 0, out, size - u.length, u.length);
    return out;
  }
}
