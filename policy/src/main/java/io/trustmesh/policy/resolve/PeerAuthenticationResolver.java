package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.model.MtlsMode;
import io.trustmesh.policy.model.PeerAuthentication;
import io.trustmesh.policy.model.Workload;
import java.util.List;
import java.util.Optional;

/**
 * Istio's effective PeerAuthentication for a workload, following {@code ComposePeerAuthentication}
 * (pilot/pkg/security/authn) and the lookup before it ({@code getConfigsForWorkload}):
 *
 * <ol>
 *   <li>Candidates are the policies of the workload's namespace and of the root namespace whose
 *       selector is empty or a subset of the workload's labels.
 *   <li>In the root namespace, a policy without selector is mesh-wide; one with a selector is
 *       ignored. Elsewhere no selector is namespace-wide and a selector is workload-level.
 *   <li>Per scope the oldest wins ({@link PolicyOrder}).
 *   <li>Start from PERMISSIVE; apply mesh, then namespace, then workload, skipping UNSET.
 *   <li>Port-level modes come only from the workload-level policy; a port-level UNSET takes the
 *       workload's mode.
 *   <li>A policy with {@code portLevelMtls} but no selector is left out altogether: Istio's CRD
 *       refuses it at {@code kubectl apply} ({@link PeerAuthentication#refusedByIstio()}), so in a
 *       cluster it does not exist and its top-level mode does not apply either.
 * </ol>
 */
public final class PeerAuthenticationResolver {
  private final MeshModel model;
  private final String rootNamespace;

  public PeerAuthenticationResolver(MeshModel model, String rootNamespace) {
    this.model = model;
    this.rootNamespace = rootNamespace;
  }

  public IstioWorkloadPolicy resolve(Workload w) {
    List<PeerAuthentication> candidates = model.peerAuthentications().stream()
        .filter(p -> p.ref().namespace().equals(w.namespace()) || p.ref().namespace().equals(rootNamespace))
        .filter(p -> !p.refusedByIstio())
        .filter(p -> w.matches(p.selector()))
        .sorted(PolicyOrder.oldestFirst(PeerAuthentication::created, PeerAuthentication::ref))
        .toList();
    PeerAuthentication mesh = null;
    PeerAuthentication namespace = null;
    PeerAuthentication workload = null;
    for (PeerAuthentication p : candidates) {
      boolean root = p.ref().namespace().equals(rootNamespace);
      if (!p.hasSelector()) {
        if (root) {
          mesh = mesh == null ? p : mesh;
        } else {
          namespace = namespace == null ? p : namespace;
        }
      } else if (!root) {
        workload = workload == null ? p : workload;
      }
    }
    MtlsMode mode = MtlsMode.PERMISSIVE;
    PeerAuthentication from = null;
    for (PeerAuthentication p : new PeerAuthentication[] {mesh, namespace, workload}) {
      if (p != null && p.mode() != MtlsMode.UNSET) {
        mode = p.mode();
        from = p;
      }
    }
    return new IstioWorkloadPolicy(Optional.ofNullable(mesh), Optional.ofNullable(namespace),
        Optional.ofNullable(workload), mode, Optional.ofNullable(from));
  }

  /** Policies of one scope that compete for a workload (more than one means Istio picks the oldest). */
  public List<PeerAuthentication> sameScope(Workload w, PeerAuthentication chosen) {
    boolean root = chosen.ref().namespace().equals(rootNamespace);
    return model.peerAuthentications().stream()
        .filter(p -> p.ref().namespace().equals(chosen.ref().namespace()))
        .filter(p -> p.hasSelector() == chosen.hasSelector())
        .filter(p -> !root || !p.hasSelector())
        .filter(p -> !p.refusedByIstio())
        .filter(p -> w.matches(p.selector()))
        .sorted(PolicyOrder.oldestFirst(PeerAuthentication::created, PeerAuthentication::ref))
        .toList();
  }
}
