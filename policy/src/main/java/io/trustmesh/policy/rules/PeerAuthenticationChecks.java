package io.trustmesh.policy.rules;

import io.trustmesh.policy.model.ContainerPort;
import io.trustmesh.policy.model.PeerAuthentication;
import io.trustmesh.policy.model.PortOverride;
import io.trustmesh.policy.model.Service;
import io.trustmesh.policy.model.ServicePort;
import io.trustmesh.policy.model.Workload;
import io.trustmesh.policy.resolve.IstioWorkloadPolicy;
import io.trustmesh.policy.resolve.Resolution;
import io.trustmesh.policy.resolve.ServicePorts;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** PeerAuthentication structure: competing policies, ignored selectors, port-level mistakes. */
final class PeerAuthenticationChecks implements Check {
  @Override
  public void run(Resolution r, Findings out) {
    String root = r.rootNamespace();
    for (PeerAuthentication pa : r.model().peerAuthentications()) {
      boolean inRoot = pa.ref().namespace().equals(root);
      if (inRoot && pa.hasSelector()) {
        out.add(RuleCatalog.PA_ROOT_SELECTOR, pa.ref().display() + " has a selector in the root namespace " + root
            + ": Istio ignores it", pa.ref().location());
      }
      if (!pa.hasSelector() && !pa.portLevel().isEmpty()) {
        out.add(RuleCatalog.PA_PORT_NO_SELECTOR, pa.ref().display() + " sets portLevelMtls without a selector: Kubernetes"
            + " refuses the whole policy (Istio's CRD: portLevelMtls requires selector), so neither its mode nor its ports apply", pa.portLevel().get(0).location());
      }
      if (pa.hasSelector() && !inRoot) {
        List<Workload> selected = r.model().workloads().stream()
            .filter(w -> w.namespace().equals(pa.ref().namespace()) && w.matches(pa.selector())).toList();
        if (selected.isEmpty()) {
          out.add(RuleCatalog.PA_SELECTOR_MATCHES_NOTHING, pa.ref().display() + " selects no workload in the inputs "
              + "(selector " + pa.selector() + ")", pa.ref().location());
        } else {
          checkPorts(r, pa, selected, out);
        }
      }
    }
    duplicates(r, out);
  }

  private static void checkPorts(Resolution r, PeerAuthentication pa, List<Workload> selected, Findings out) {
    for (PortOverride o : pa.portLevel()) {
      boolean declared = selected.stream().anyMatch(w -> w.ports().stream().anyMatch(p -> p.port() == o.port()));
      if (declared || selected.stream().allMatch(w -> w.ports().isEmpty())) {
        continue;
      }
      Optional<String> viaService = serviceMapping(r, selected, o.port());
      if (viaService.isPresent()) {
        out.add(RuleCatalog.PA_PORT_SERVICE_PORT, pa.ref().display() + " portLevelMtls " + o.port() + " is "
            + viaService.get() + ": the override never applies", o.location());
      } else {
        String exposed = selected.stream().flatMap(w -> w.ports().stream()).map(ContainerPort::port).distinct().sorted()
            .map(String::valueOf).collect(Collectors.joining(", "));
        out.add(RuleCatalog.PA_PORT_NOT_EXPOSED, pa.ref().display() + " portLevelMtls " + o.port()
            + " is not a port of the selected workloads (they declare " + exposed + ")", o.location());
      }
    }
  }

  /** "Service port 80 of Service ns/web, which targets container port 8080", if the key is such a port. */
  private static Optional<String> serviceMapping(Resolution r, List<Workload> selected, int key) {
    for (Workload w : selected) {
      for (Service s : r.servicePorts().servicesOf(w)) {
        for (ServicePort sp : s.ports()) {
          Optional<Integer> target = ServicePorts.targetPort(sp, w);
          if (sp.port() == key && target.isPresent() && target.get() != key) {
            String named = sp.targetPort().isEmpty() || sp.targetPort().matches("\\d+") ? ""
                : " (targetPort '" + sp.targetPort() + "')";
            return Optional.of("Service port " + key + " of " + s.ref().display() + ", which targets container port "
                + target.get() + named);
          }
        }
      }
    }
    return Optional.empty();
  }

  /** Competing policies of one scope, reported once per set, naming the one Istio uses. */
  private static void duplicates(Resolution r, Findings out) {
    Set<List<PeerAuthentication>> seen = new LinkedHashSet<>();
    for (Workload w : r.model().workloads()) {
      Optional<IstioWorkloadPolicy> policy = r.workloadPorts().istioPolicy(w);
      if (policy.isEmpty()) {
        continue;
      }
      for (Optional<PeerAuthentication> chosen : List.of(policy.get().mesh(), policy.get().namespace(),
          policy.get().workload())) {
        chosen.ifPresent(c -> {
          List<PeerAuthentication> same = r.peerAuthentications().sameScope(w, c);
          if (same.size() > 1) {
            seen.add(same);
          }
        });
      }
    }
    // Namespace- and mesh-wide duplicates exist even when no workload is in the inputs.
    r.model().peerAuthentications().stream().filter(p -> !p.hasSelector() && !p.refusedByIstio())
        .collect(Collectors.groupingBy(p -> p.ref().namespace())).values().stream().filter(l -> l.size() > 1)
        .forEach(l -> seen.add(l.stream().sorted(Comparator.comparing((PeerAuthentication p) ->
            p.created().orElse(Instant.EPOCH)).thenComparing(p -> p.ref().name())).toList()));
    for (List<PeerAuthentication> same : seen) {
      PeerAuthentication winner = same.get(0);
      String names = same.stream().map(p -> p.ref().name()).collect(Collectors.joining(", "));
      String scope = !winner.hasSelector()
          ? (winner.ref().namespace().equals(r.rootNamespace()) ? "mesh-wide" : "namespace-wide") : "for the same workload";
      boolean timestamps = same.stream().allMatch(p -> p.created().isPresent());
      String how = timestamps ? "Istio uses the oldest, " + winner.ref().name() + " (created " + winner.created().get() + ")"
          : "not every one has a creationTimestamp, so the choice depends on when they were applied; by name order Istio "
              + "would use " + winner.ref().name();
      out.add(RuleCatalog.PA_DUPLICATE, "PeerAuthentications " + names + " in " + winner.ref().namespace() + " all apply "
          + scope + ": " + how, same.get(1).ref().location());
    }
  }
}
