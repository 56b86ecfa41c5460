package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.ContainerPort;
import io.trustmesh.policy.model.LinkerdAuthorization;
import io.trustmesh.policy.model.LinkerdPolicy;
import io.trustmesh.policy.model.LinkerdServer;
import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.model.Namespace;
import io.trustmesh.policy.model.ObjectRef;
import io.trustmesh.policy.model.Workload;
import io.trustmesh.policy.source.SourceLocation;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Linkerd's equivalent of a port's mTLS mode. Between meshed pods Linkerd always uses mTLS; what
 * varies is whether the inbound proxy admits clients without it:
 *
 * <ul>
 *   <li>a port in {@code config.linkerd.io/skip-inbound-ports} bypasses the proxy: DISABLE;
 *   <li>a {@code Server} selecting the pod and port (the oldest, then by name, when several do)
 *       admits only what its authorizations allow: any
 *       unauthenticated one (NetworkAuthentication, {@code unauthenticated: true}) makes it
 *       PERMISSIVE, only meshTLS ones STRICT, none at all DENY (or the v1beta3 {@code accessPolicy});
 *   <li>otherwise {@code config.linkerd.io/default-inbound-policy} (pod, then namespace, then the
 *       cluster default): {@code *-unauthenticated} and {@code audit} are PERMISSIVE,
 *       {@code *-authenticated} STRICT, {@code deny} DENY.
 * </ul>
 * Opaque ports change protocol detection, not mTLS, so they do not change the mode.
 */
public final class LinkerdResolver {
  public static final String SKIP_INBOUND = "config.linkerd.io/skip-inbound-ports";
  public static final String SKIP_OUTBOUND = "config.linkerd.io/skip-outbound-ports";
  public static final String DEFAULT_POLICY = "config.linkerd.io/default-inbound-policy";
  public static final String OPAQUE = "config.linkerd.io/opaque-ports";

  /**
   * Linkerd's policy controller ({@code reindex_servers} in
   * policy-controller/k8s/index/src/inbound/index.rs) sorts Servers by creation time, then name,
   * and gives a port to the first that selects it, warning about the others. Rust orders a missing
   * timestamp ({@code None}) before any time, and so does this.
   */
  static final Comparator<LinkerdServer> OLDEST_SERVER_FIRST = Comparator
      .comparing((LinkerdServer s) -> s.created().orElse(null), Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(s -> s.ref().name());

  private final MeshModel model;
  private final String clusterDefault;

  public LinkerdResolver(MeshModel model, String clusterDefault) {
    this.model = model;
    this.clusterDefault = clusterDefault;
  }

  /** A config annotation as the proxy sees it: the pod's, else the namespace's. */
  public String annotation(Workload w, String key) {
    String pod = w.annotations().get(key);
    if (pod != null) {
      return pod;
    }
    return model.namespace(w.namespace()).map(Namespace::annotations).map(a -> a.get(key)).orElse("");
  }

  public PortDecision decide(Workload w, ContainerPort port) {
    if (PortList.parse(annotation(w, SKIP_INBOUND)).contains(port.port())) {
      return decision(w, port, ServerMode.DISABLE, Optional.of(w.ref()), w.ref().location(),
          SKIP_INBOUND + " bypasses the proxy");
    }
    Optional<LinkerdServer> server = model.linkerdServers().stream()
        .filter(s -> s.ref().namespace().equals(w.namespace()))
        .filter(s -> w.matches(s.podSelector()))
        .filter(s -> s.port().equals(String.valueOf(port.port())) || (!port.name().isEmpty() && s.port().equals(port.name())))
        .min(OLDEST_SERVER_FIRST);
    if (server.isPresent()) {
      LinkerdServer s = server.get();
      List<Boolean> unauthenticated = authorizations(s);
      if (unauthenticated.isEmpty()) {
        String access = s.accessPolicy().isEmpty() ? "deny" : s.accessPolicy();
        return decision(w, port, policyMode(access), Optional.of(s.ref()), s.ref().location(),
            "Server without authorizations: accessPolicy " + access);
      }
      boolean plaintextAllowed = unauthenticated.contains(true);
      return decision(w, port, plaintextAllowed ? ServerMode.PERMISSIVE : ServerMode.STRICT, Optional.of(s.ref()),
          s.ref().location(), plaintextAllowed ? "an authorization admits unauthenticated clients"
              : "every authorization requires mesh TLS");
    }
    String podPolicy = w.annotations().get(DEFAULT_POLICY);
    if (podPolicy != null) {
      return decision(w, port, policyMode(podPolicy), Optional.of(w.ref()), w.ref().location(),
          DEFAULT_POLICY + ": " + podPolicy);
    }
    Optional<Namespace> ns = model.namespace(w.namespace()).filter(n -> n.annotations().containsKey(DEFAULT_POLICY));
    if (ns.isPresent()) {
      String p = ns.get().annotations().get(DEFAULT_POLICY);
      return decision(w, port, policyMode(p), Optional.of(ns.get().ref()), ns.get().ref().location(),
          DEFAULT_POLICY + " on the namespace: " + p);
    }
    return decision(w, port, policyMode(clusterDefault), Optional.empty(), w.ref().location(),
        "cluster default inbound policy " + clusterDefault);
  }

  /** For each authorization of the server: whether it admits clients without mesh TLS. */
  private List<Boolean> authorizations(LinkerdServer s) {
    String ns = s.ref().namespace();
    List<Boolean> legacy = model.linkerdAuthorizations().stream()
        .filter(a -> a.ref().namespace().equals(ns) && a.server().equals(s.ref().name()))
        .map(LinkerdAuthorization::unauthenticated).toList();
    List<Boolean> policies = model.linkerdPolicies().stream()
        .filter(p -> p.ref().namespace().equals(ns))
        .filter(p -> p.targetKind().equals("Namespace") || (p.targetKind().equals("Server") && p.targetName().equals(s.ref().name())))
        .map(LinkerdResolver::admitsUnauthenticated).toList();
    return Stream.concat(legacy.stream(), policies.stream()).toList();
  }

  /** A policy requires all its refs: it needs mesh TLS if any ref is an identity. */
  private static boolean admitsUnauthenticated(LinkerdPolicy p) {
    return p.required().stream().noneMatch(r -> r.kind().equals("MeshTLSAuthentication") || r.kind().equals("ServiceAccount"));
  }

  static ServerMode policyMode(String policy) {
    return switch (policy) {
      case "all-authenticated", "cluster-authenticated" -> ServerMode.STRICT;
      case "deny" -> ServerMode.DENY;
      default -> ServerMode.PERMISSIVE;
    };
  }

  private static PortDecision decision(Workload w, ContainerPort port, ServerMode mode, Optional<ObjectRef> by,
      SourceLocation at, String reason) {
    return new PortDecision(w, port.port(), port.name(), Dataplane.LINKERD, mode, by, at, reason);
  }
}
