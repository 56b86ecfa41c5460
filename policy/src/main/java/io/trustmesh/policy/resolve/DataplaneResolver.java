package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.model.Namespace;
import io.trustmesh.policy.model.Workload;
import java.util.Map;

/**
 * Decides which dataplane a workload gets, from the injection labels and annotations the way the
 * injectors read them:
 *
 * <ul>
 *   <li>Istio sidecar: the pod's {@code sidecar.istio.io/inject} label (or annotation) wins; else
 *       the namespace's {@code istio-injection=enabled} or an {@code istio.io/rev} label (on the
 *       namespace or the pod); {@code istio-injection=disabled} on the namespace turns it off even
 *       if the pod asks (Istio's injection table).
 *   <li>Istio ambient: {@code istio.io/dataplane-mode=ambient} on the namespace or pod, unless the
 *       pod says {@code none} or has a sidecar.
 *   <li>Linkerd: {@code linkerd.io/inject: enabled|ingress} on the pod, else on the namespace;
 *       {@code disabled} on the pod turns it off.
 *   <li>A pod whose containers already include {@code istio-proxy} is not modelled: manifests in Git
 *       are pre-injection.
 * </ul>
 */
public final class DataplaneResolver {
  private final MeshModel model;

  public DataplaneResolver(MeshModel model) {
    this.model = model;
  }

  public Dataplane of(Workload w) {
    Map<String, String> ns = model.namespace(w.namespace()).map(Namespace::labels).orElse(Map.of());
    Map<String, String> nsAnnotations = model.namespace(w.namespace()).map(Namespace::annotations).orElse(Map.of());
    if (istioSidecar(w, ns)) {
      return Dataplane.ISTIO_SIDECAR;
    }
    String podMode = w.labels().getOrDefault("istio.io/dataplane-mode", "");
    if (podMode.equals("ambient") || (!podMode.equals("none") && "ambient".equals(ns.get("istio.io/dataplane-mode")))) {
      return Dataplane.ISTIO_AMBIENT;
    }
    String linkerd = w.annotations().getOrDefault("linkerd.io/inject", nsAnnotations.getOrDefault("linkerd.io/inject", ""));
    if (linkerd.equals("enabled") || linkerd.equals("ingress")) {
      return Dataplane.LINKERD;
    }
    return Dataplane.NONE;
  }

  private static boolean istioSidecar(Workload w, Map<String, String> ns) {
    String nsInjection = ns.getOrDefault("istio-injection", "");
    if (nsInjection.equals("disabled")) {
      return false;
    }
    String pod = w.labels().getOrDefault("sidecar.istio.io/inject", w.annotations().getOrDefault("sidecar.istio.io/inject", ""));
    if (pod.equals("false")) {
      return false;
    }
    if (pod.equals("true")) {
      return true;
    }
    return nsInjection.equals("enabled") || ns.containsKey("istio.io/rev") || w.labels().containsKey("istio.io/rev");
  }
}
