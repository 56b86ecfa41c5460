package io.trustmesh.core.bundle;

import io.trustmesh.core.spiffe.TrustDomain;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Bundles keyed by trust domain, as in SPIFFE federation: a peer's chain is validated only against
 * the bundle of the peer's own trust domain, so one trust domain's roots can never vouch for
 * another's identities.
 */
public final class X509BundleSet {
  private final Map<TrustDomain, X509Bundle> bundles;

  private X509BundleSet(Map<TrustDomain, X509Bundle> bundles) {
    this.bundles = Map.copyOf(bundles);
  }

  public static X509BundleSet of(X509Bundle... bundles) {
    return of(java.util.List.of(bundles));
  }

  public static X509BundleSet of(Collection<X509Bundle> bundles) {
    Map<TrustDomain, X509Bundle> map = new LinkedHashMap<>();
    for (X509Bundle b : bundles) {
      map.merge(b.trustDomain(), b, (x, y) -> {
        java.util.List<java.security.cert.X509Certificate> all = new java.util.ArrayList<>(x.authorities());
        all.addAll(y.authorities());
        return new X509Bundle(x.trustDomain(), all);
      });
    }
    return new X509BundleSet(map);
  }

  public Optional<X509Bundle> forTrustDomain(TrustDomain td) {
    return Optional.ofNullable(bundles.get(td));
  }

  public Collection<X509Bundle> bundles() {
    return bundles.values();
  }
}
