package io.trustmesh.agent;

import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * What the Workload API serves at one moment: the entries, their SVIDs by entry id, the X.509
 * bundle and the JWT bundle (JWKS) of the trust domain, and the federated X.509 bundles by trust
 * domain name (only those some entry of this agent federates with). Replaced as a whole on every change.
 */
public record Snapshot(List<Registration> entries, Map<String, X509Svid> svids, List<X509Certificate> bundle,
    TrustDomain trustDomain, long version, String jwks, Map<String, List<X509Certificate>> federated) {
  public Snapshot(List<Registration> entries, Map<String, X509Svid> svids, List<X509Certificate> bundle,
      TrustDomain trustDomain, long version, String jwks) {
    this(entries, svids, bundle, trustDomain, version, jwks, Map.of());
  }

  public Snapshot {
    federated = Map.copyOf(federated);
    entries = List.copyOf(entries);
    svids = Map.copyOf(svids);
    bundle = List.copyOf(bundle);
  }
}
