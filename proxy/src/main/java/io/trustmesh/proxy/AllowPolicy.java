package io.trustmesh.proxy;

import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.tls.SpiffeTrustManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may connect to an inbound port, decided after the peer's chain has been verified. A peer is
 * allowed when any rule matches; no rule means nobody is allowed.
 *
 * <pre>{@code
 * AllowPolicy p = AllowPolicy.builder().id(SpiffeId.parse("spiffe://example.org/ns/a/sa/web")).build();
 * }</pre>
 */
public final class AllowPolicy implements SpiffeTrustManager.Authorizer {
  private final List<SpiffeId> ids;
  private final List<IdPrefix> prefixes;
  private final List<TrustDomain> trustDomains;
  private final boolean any;

  private AllowPolicy(List<SpiffeId> ids, List<IdPrefix> prefixes, List<TrustDomain> trustDomains, boolean any) {
    this.ids = List.copyOf(ids);
    this.prefixes = List.copyOf(prefixes);
    this.trustDomains = List.copyOf(trustDomains);
    this.any = any;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** True when no peer can ever be allowed. */
  public boolean isEmpty() {
    return !any && ids.isEmpty() && prefixes.isEmpty() && trustDomains.isEmpty();
  }

  public boolean allowsAny() {
    return any;
  }

  @Override
  public String refuse(SpiffeId peer) {
    if (any || ids.contains(peer) || trustDomains.contains(peer.trustDomain())) {
      return null;
    }
    for (IdPrefix p : prefixes) {
      if (p.matches(peer)) {
        return null;
      }
    }
    return "SPIFFE ID " + peer + " is not allowed: " + (isEmpty()
        ? "no allow rule is configured (deny by default)"
        : "it matches none of the allow rules [" + describe() + "]");
  }

  /** The rules in words, e.g. {@code id=spiffe://a/b, trust-domain=a}. */
  public String describe() {
    if (any) {
      return "any-id (--allow-any-id)";
    }
    List<String> parts = new ArrayList<>();
    ids.forEach(i -> parts.add("id=" + i));
    prefixes.forEach(p -> parts.add("id-prefix=" + p));
    trustDomains.forEach(t -> parts.add("trust-domain=" + t.name()));
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  @Override
  public String toString() {
    return describe();
  }

  /** Collects allow rules. */
  public static final class Builder {
    private final List<SpiffeId> ids = new ArrayList<>();
    private final List<IdPrefix> prefixes = new ArrayList<>();
    private final List<TrustDomain> trustDomains = new ArrayList<>();
    private boolean any;

    private Builder() {}

    public Builder id(SpiffeId id) {
      ids.add(id);
      return this;
    }

    /**
     * Allows the IDs under {@code prefix} by whole path segments, in its trust domain only: {@code
     * spiffe://example.org/ns/prod} allows {@code .../ns/prod/sa/web} but not {@code .../ns/production}.
     *
     * @throws io.trustmesh.core.BadInputException when {@code prefix} is not a SPIFFE ID
     */
    public Builder idPrefix(String prefix) {
      prefixes.add(IdPrefix.parse(prefix));
      return this;
    }

    public Builder trustDomain(TrustDomain td) {
      trustDomains.add(td);
      return this;
    }

    /** Allows every authenticated peer; a weakening, named as such on the command line. */
    public Builder anyId() {
      this.any = true;
      return this;
    }

    public AllowPolicy build() {
      return new AllowPolicy(ids, prefixes, trustDomains, any);
    }
  }
}
