package io.trustmesh.server.datastore;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.net.URI;
import java.time.Instant;
import java.util.Locale;

/**
 * A federation relationship: the foreign trust domain, where its SPIFFE bundle endpoint is and how
 * that endpoint is authenticated, and the last good bundle fetched from it.
 *
 * @param endpointId for {@link Profile#HTTPS_SPIFFE}, the SPIFFE ID the endpoint must present
 * @param bundleJson the last good bundle (SPIFFE bundle format); never replaced by a bad fetch
 * @param sequence its {@code spiffe_sequence}
 * @param refreshedAt when it was last fetched successfully (or registered)
 * @param lastError the last fetch's error, empty after a good fetch
 */
public record FederationRelationship(TrustDomain trustDomain, URI bundleEndpointUrl, Profile profile, SpiffeId endpointId,
    String bundleJson, long sequence, Instant refreshedAt, String lastError, Instant createdAt) {

  /** How the bundle endpoint is authenticated (SPIFFE Trust Domain and Bundle spec, section 5). */
  public enum Profile {
    /** The endpoint presents an X.509-SVID of the foreign trust domain, checked against its last bundle. */
    HTTPS_SPIFFE,
    /** The endpoint presents a web-PKI certificate, checked against the JVM's trusted CAs. */
    HTTPS_WEB;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Profile parse(String raw) {
      for (Profile p : values()) {
        if (p.wireName().equals(raw)) {
          return p;
        }
      }
      throw new BadInputException("unknown bundle endpoint profile '" + raw + "' (expected https_spiffe or https_web)");
    }
  }

  public FederationRelationship {
    lastError = lastError == null ? "" : lastError;
    if (!"https".equals(bundleEndpointUrl.getScheme()) || bundleEndpointUrl.getHost() == null) {
      throw new BadInputException("bundle endpoint URL must be https://HOST:PORT[/path]: " + bundleEndpointUrl);
    }
    if (!endpointId.trustDomain().equals(trustDomain) && profile == Profile.HTTPS_SPIFFE) {
      throw new BadInputException("endpoint SPIFFE ID " + endpointId + " is not in trust domain " + trustDomain.name());
    }
  }

  /** The same relationship with a newer good bundle (clears the error). */
  public FederationRelationship withBundle(String json, long newSequence, Instant at) {
    return new FederationRelationship(trustDomain, bundleEndpointUrl, profile, endpointId, json, newSequence, at, "", createdAt);
  }
}
