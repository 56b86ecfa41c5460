package io.trustmesh.policy.read;

import io.trustmesh.core.BadInputException;
import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.source.InputFiles;
import io.trustmesh.policy.source.Manifest;
import io.trustmesh.policy.source.ManifestReader;
import io.trustmesh.policy.source.ReadProblem;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns input files into a {@link MeshModel}: YAML documents are dispatched by API group and
 * kind to the reader of their system; SPIRE {@code .conf}/{@code .hcl} files go to
 * {@link SpireConfigReader}. Unknown kinds and unsupported versions become problems with file and
 * line, never exceptions.
 */
public final class ModelReader {
  /** Versions this reader understands, per {@code group/Kind}. */
  static final Map<String, Set<String>> SUPPORTED = Map.ofEntries(
      Map.entry("/Namespace", Set.of("v1")),
      Map.entry("/Service", Set.of("v1")),
      Map.entry("/Pod", Set.of("v1")),
      Map.entry("/ConfigMap", Set.of("v1")),
      Map.entry("apps/Deployment", Set.of("v1")),
      Map.entry("apps/StatefulSet", Set.of("v1")),
      Map.entry("apps/DaemonSet", Set.of("v1")),
      Map.entry("security.istio.io/PeerAuthentication", Set.of("v1", "v1beta1")),
      Map.entry("security.istio.io/AuthorizationPolicy", Set.of("v1", "v1beta1")),
      Map.entry("networking.istio.io/DestinationRule", Set.of("v1", "v1beta1", "v1alpha3")),
      Map.entry("install.istio.io/IstioOperator", Set.of("v1alpha1")),
      Map.entry("policy.linkerd.io/Server", Set.of("v1beta1", "v1beta2", "v1beta3")),
      Map.entry("policy.linkerd.io/ServerAuthorization", Set.of("v1beta1")),
      Map.entry("policy.linkerd.io/AuthorizationPolicy", Set.of("v1alpha1")),
      Map.entry("policy.linkerd.io/MeshTLSAuthentication", Set.of("v1alpha1")),
      Map.entry("policy.linkerd.io/NetworkAuthentication", Set.of("v1alpha1")),
      Map.entry("cert-manager.io/Issuer", Set.of("v1")),
      Map.entry("cert-manager.io/ClusterIssuer", Set.of("v1")),
      Map.entry("cert-manager.io/Certificate", Set.of("v1")));

  /** Kinds that are understood to have no bearing on mTLS: read and skipped without a finding. */
  static final Set<String> IRRELEVANT = Set.of("ServiceAccount", "Secret", "Role", "ClusterRole", "RoleBinding",
      "ClusterRoleBinding", "Ingress", "IngressClass", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
      "Job", "CronJob", "ReplicaSet", "CustomResourceDefinition", "VirtualService", "Gateway", "ServiceEntry", "Sidecar",
      "EnvoyFilter", "RequestAuthentication", "Telemetry", "WorkloadEntry", "WorkloadGroup", "HTTPRoute", "GRPCRoute",
      "ServiceProfile", "CertificateRequest", "PersistentVolumeClaim", "StorageClass", "LimitRange", "ResourceQuota",
      "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "PriorityClass", "Endpoints", "EndpointSlice",
      "ClusterSPIFFEID", "ClusterFederatedTrustDomain", "ClusterStaticEntry");

  /** Collects problems for one read. */
  public static final class Problems {
    private final MeshModel.Builder model;

    Problems(MeshModel.Builder model) {
      this.model = model;
    }

    void invalid(Manifest m, String pointer, String message) {
      model.problems.add(new ReadProblem(ReadProblem.Kind.INVALID_FIELD, m.kind() + " " + m.namespace() + "/"
          + m.name() + ": " + message, m.at(pointer)));
    }
  }

  private final ManifestReader yaml = new ManifestReader();
  private final SpireConfigReader spire = new SpireConfigReader();

  public MeshModel read(List<InputFiles.Input> inputs) {
    MeshModel.Builder model = new MeshModel.Builder();
    Problems problems = new Problems(model);
    for (InputFiles.Input input : inputs) {
      if (InputFiles.isHcl(input.name())) {
        SpireConfigReader.Result r = spire.read(input.name(), input.text());
        r.config().ifPresent(model.spireConfigs::add);
        model.problems.addAll(r.problems());
        continue;
      }
      ManifestReader.Result r = yaml.read(input.name(), input.text());
      refuseDuplicateKeys(r.problems());
      model.problems.addAll(r.problems());
      for (Manifest m : r.manifests()) {
        add(m, model, problems);
      }
    }
    return model.build();
  }

  /**
   * A repeated key is not a finding but an input error (exit 2): which of the two values Istio or
   * Linkerd would see depends on the tool that applies the file, so no analysis of it can be trusted.
   */
  static void refuseDuplicateKeys(List<ReadProblem> problems) {
    for (ReadProblem p : problems) {
      if (p.kind() == ReadProblem.Kind.DUPLICATE_KEY) {
        throw new BadInputException(p.location() + ": " + p.message());
      }
    }
  }

  private static void add(Manifest m, MeshModel.Builder model, Problems problems) {
    String key = m.group() + "/" + m.kind();
    Set<String> versions = SUPPORTED.get(key);
    if (versions == null) {
      if (!IRRELEVANT.contains(m.kind())) {
        model.problems.add(new ReadProblem(ReadProblem.Kind.UNKNOWN_KIND,
            "kind " + m.kind() + " (" + m.apiVersion() + ") is not analyzed: " + m.namespace() + "/" + m.name(),
            m.location()));
      }
      return;
    }
    if (!versions.contains(m.version())) {
      model.problems.add(new ReadProblem(ReadProblem.Kind.UNSUPPORTED_VERSION,
          m.kind() + " " + m.namespace() + "/" + m.name() + ": apiVersion " + m.apiVersion()
              + " is not supported (supported: " + String.join(", ", versions.stream().sorted().toList()) + ")",
          m.at("/apiVersion")));
      return;
    }
    switch (key) {
      case "/Namespace" -> model.namespaces.add(KubernetesObjects.namespace(m));
      case "/Service" -> model.services.add(KubernetesObjects.service(m, problems));
      case "/Pod", "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet" ->
          model.workloads.add(KubernetesObjects.workload(m));
      case "/ConfigMap" -> {
        if (MeshConfigReader.isMeshConfigMap(m)) {
          MeshConfigReader.fromConfigMap(m, problems).ifPresent(model::meshConfig);
        }
      }
      case "install.istio.io/IstioOperator" -> model.meshConfig(MeshConfigReader.fromOperator(m));
      case "security.istio.io/PeerAuthentication" ->
          IstioObjects.peerAuthentication(m, problems).ifPresent(model.peerAuthentications::add);
      case "security.istio.io/AuthorizationPolicy" -> model.authorizationPolicies.add(IstioObjects.authorizationPolicy(m));
      case "networking.istio.io/DestinationRule" ->
          IstioObjects.destinationRule(m, problems).ifPresent(model.destinationRules::add);
      case "policy.linkerd.io/Server" -> model.linkerdServers.add(LinkerdObjects.server(m, problems));
      case "policy.linkerd.io/ServerAuthorization" -> model.linkerdAuthorizations.add(LinkerdObjects.serverAuthorization(m));
      case "policy.linkerd.io/AuthorizationPolicy" -> model.linkerdPolicies.add(LinkerdObjects.authorizationPolicy(m));
      case "policy.linkerd.io/MeshTLSAuthentication", "policy.linkerd.io/NetworkAuthentication" ->
          model.linkerdAuthentications.add(LinkerdObjects.authentication(m));
      case "cert-manager.io/Issuer", "cert-manager.io/ClusterIssuer" -> model.issuers.add(CertManagerObjects.issuer(m));
      case "cert-manager.io/Certificate" ->
          CertManagerObjects.certificate(m, problems).ifPresent(model.certificates::add);
      default -> throw new IllegalStateException("supported kind without a reader: " + key);
    }
  }
}
