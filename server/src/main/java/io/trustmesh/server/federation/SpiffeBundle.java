package io.trustmesh.server.federation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.TrustDomain;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A foreign trust domain's bundle as read from the SPIFFE bundle format (Trust Domain and Bundle
 * spec, section 4): the X.509 authorities ({@code "use": "x509-svid"}, one certificate in
 * {@code x5c} each), the JWT authorities ({@code "use": "jwt-svid"}, kept as a JWK set), and
 * {@code spiffe_sequence} / {@code spiffe_refresh_hint}. Anything that does not parse is refused
 * with the reason, so a garbage answer never becomes a trust anchor.
 */
public record SpiffeBundle(TrustDomain trustDomain, List<X509Certificate> x509Authorities, String jwtAuthoritiesJwks,
    long sequence, Optional<Duration> refreshHint) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A bundle larger than this is refused before it is parsed. */
  public static final int MAX_BYTES = 1 << 20;

  public SpiffeBundle {
    x509Authorities = List.copyOf(x509Authorities);
  }

  /** Parses {@code json} as {@code trustDomain}'s bundle; {@link BadInputException} names what is wrong. */
  public static SpiffeBundle parse(TrustDomain trustDomain, String json) {
    if (json.length() > MAX_BYTES) {
      throw new BadInputException("bundle of " + trustDomain.name() + " is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new BadInputException("bundle of " + trustDomain.name() + " is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject() || !root.path("keys").isArray()) {
      throw new BadInputException("bundle of " + trustDomain.name() + " is not a JWK set (no \"keys\" array)");
    }
    List<X509Certificate> x509 = new ArrayList<>();
    ObjectNode jwks = JSON.createObjectNode();
    ArrayNode jwtKeys = jwks.putArray("keys");
    CertificateFactory cf;
    try {
      cf = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
    int index = 0;
    for (JsonNode key : root.path("keys")) {
      String use = key.path("use").asText("");
      if (use.equals("x509-svid")) {
        JsonNode x5c = key.path("x5c");
        if (!x5c.isArray() || x5c.size() != 1) {
          throw new BadInputException("bundle of " + trustDomain.name() + ": x509-svid key " + index
              + " must carry exactly one certificate in x5c");
        }
        try {
          byte[] der = Base64.getDecoder().decode(x5c.get(0).asText());
          x509.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        } catch (IllegalArgumentException | CertificateException e) {
          throw new BadInputException("bundle of " + trustDomain.name() + ": x509-svid key " + index
              + " has no valid certificate: " + e.getMessage());
        }
      } else if (use.equals("jwt-svid")) {
        jwtKeys.add(((ObjectNode) key.deepCopy()).without("use"));
      }
      // Keys of other uses are ignored, as the spec asks.
      index++;
    }
    if (x509.isEmpty()) {
      throw new BadInputException("bundle of " + trustDomain.name() + " has no x509-svid authority");
    }
    JsonNode seq = root.path("spiffe_sequence");
    if (!seq.isMissingNode() && !seq.canConvertToLong()) {
      throw new BadInputException("bundle of " + trustDomain.name() + ": spiffe_sequence is not a number");
    }
    JsonNode hint = root.path("spiffe_refresh_hint");
    Optional<Duration> refresh = hint.canConvertToLong() && hint.asLong() > 0
        ? Optional.of(Duration.ofSeconds(hint.asLong())) : Optional.empty();
    return new SpiffeBundle(trustDomain, x509, jwtKeys.isEmpty() ? "" : jwks.toString(), seq.asLong(0), refresh);
  }
}
