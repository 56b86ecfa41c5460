package io.trustmesh.policy.model;

import io.trustmesh.policy.source.ReadProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything read from the inputs, as typed values: the one model that {@code analyze} checks
 * and that renderers write. Build it with {@link Builder}; it is immutable afterwards.
 */
public record MeshModel(
    Optional<MeshConfig> meshConfig,
    List<Namespace> namespaces,
    List<Workload> workloads,
    List<Service> services,
    List<PeerAuthentication> peerAuthentications,
    List<DestinationRule> destinationRules,
    List<AuthorizationPolicy> authorizationPolicies,
    List<LinkerdServer> linkerdServers,
    List<LinkerdAuthorization> linkerdAuthorizations,
    List<LinkerdPolicy> linkerdPolicies,
    List<LinkerdAuthentication> linkerdAuthentications,
    List<CertIssuer> issuers,
    List<Certificate> certificates,
    List<SpireConfig> spireConfigs,
    List<ReadProblem> problems) {

  public Optional<Namespace> namespace(String name) {
    return namespaces.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  /** Collects objects as readers find them. */
  public static final class Builder {
    private MeshConfig meshConfig;
    public final List<Namespace> namespaces = new ArrayList<>();
    public final List<Workload> workloads = new ArrayList<>();
    public final List<Service> services = new ArrayList<>();
    public final List<PeerAuthentication> peerAuthentications = new ArrayList<>();
    public final List<DestinationRule> destinationRules = new ArrayList<>();
    public final List<AuthorizationPolicy> authorizationPolicies = new ArrayList<>();
    public final List<LinkerdServer> linkerdServers = new ArrayList<>();
    public final List<LinkerdAuthorization> linkerdAuthorizations = new ArrayList<>();
    public final List<LinkerdPolicy> linkerdPolicies = new ArrayList<>();
    public final List<LinkerdAuthentication> linkerdAuthentications = new ArrayList<>();
    public final List<CertIssuer> issuers = new ArrayList<>();
    public final List<Certificate> certificates = new ArrayList<>();
    public final List<SpireConfig> spireConfigs = new ArrayList<>();
    public final List<ReadProblem> problems = new ArrayList<>();

    public Builder meshConfig(MeshConfig config) {
      this.meshConfig = config;
      return this;
    }

    public MeshModel build() {
      return new MeshModel(Optional.ofNullable(meshConfig), List.copyOf(namespaces), List.copyOf(workloads),
          List.copyOf(services), List.copyOf(peerAuthentications), List.copyOf(destinationRules),
          List.copyOf(authorizationPolicies), List.copyOf(linkerdServers), List.copyOf(linkerdAuthorizations),
          List.copyOf(linkerdPolicies), List.copyOf(linkerdAuthentications), List.copyOf(issuers),
          List.copyOf(certificates), List.copyOf(spireConfigs), List.copyOf(problems));
    }
  }
}
