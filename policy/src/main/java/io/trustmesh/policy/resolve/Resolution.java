package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.MeshConfig;
import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.model.Service;
import io.trustmesh.policy.model.ServicePort;
import io.trustmesh.policy.model.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything decided about a model: per workload port, per client namespace and service port.
 * Built once per analysis; rules and reports read it.
 */
public final class Resolution {
  private final MeshModel model;
  private final AnalysisOptions options;
  private final MeshConfig meshConfig;
  private final DataplaneResolver dataplanes;
  private final PeerAuthenticationResolver peerAuthentications;
  private final DestinationRuleResolver destinationRules;
  private final ServicePorts servicePorts;
  private final WorkloadPorts workloadPorts;
  private final LinkerdResolver linkerd;
  private final TlsPairResolver pairs;

  public Resolution(MeshModel model, AnalysisOptions options) {
    this.model = model;
    this.options = options;
    String root = options.rootNamespace()
        .orElse(model.meshConfig().map(MeshConfig::rootNamespace).orElse(AnalysisOptions.DEFAULT_ROOT_NAMESPACE));
    MeshConfig fromFile = model.meshConfig().orElse(MeshConfig.defaults(root));
    this.meshConfig = new MeshConfig(fromFile.enableAutoMtls(), root,
        options.trustDomain().orElse(fromFile.trustDomain()), fromFile.location());
    this.dataplanes = new DataplaneResolver(model);
    this.peerAuthentications = new PeerAuthenticationResolver(model, root);
    this.destinationRules = new DestinationRuleResolver(model, root, options.clusterDomain());
    this.servicePorts = new ServicePorts(model);
    this.linkerd = new LinkerdResolver(model, options.linkerdDefaultPolicy());
    this.workloadPorts = new WorkloadPorts(model, dataplanes, peerAuthentications, linkerd);
    this.pairs = new TlsPairResolver(workloadPorts, servicePorts, destinationRules, meshConfig.enableAutoMtls());
  }

  public MeshModel model() {
    return model;
  }

  public AnalysisOptions options() {
    return options;
  }

  public MeshConfig meshConfig() {
    return meshConfig;
  }

  public String rootNamespace() {
    return meshConfig.rootNamespace();
  }

  public DataplaneResolver dataplanes() {
    return dataplanes;
  }

  public PeerAuthenticationResolver peerAuthentications() {
    return peerAuthentications;
  }

  public DestinationRuleResolver destinationRules() {
    return destinationRules;
  }

  public ServicePorts servicePorts() {
    return servicePorts;
  }

  public WorkloadPorts workloadPorts() {
    return workloadPorts;
  }

  public LinkerdResolver linkerd() {
    return linkerd;
  }

  public TlsPairResolver tlsPairs() {
    return pairs;
  }

  /**
   * Every Istio client namespace (one with a sidecar or ambient workload) against every service
   * port, one outcome per pair: what {@code tls-check} prints and what the client-side rules check.
   */
  public List<PairOutcome> istioPairs() {
    Map<String, Dataplane> clients = new LinkedHashMap<>();
    for (Workload w : model.workloads()) {
      Dataplane dp = dataplanes.of(w);
      if (dp.istio()) {
        clients.putIfAbsent(w.namespace(), dp);
      }
    }
    List<PairOutcome> out = new ArrayList<>();
    clients.forEach((ns, dp) -> {
      for (Service s : model.services()) {
        for (ServicePort p : s.ports()) {
          out.add(pairs.resolve(ns, dp, s, p));
        }
      }
    });
    return out;
  }
}
