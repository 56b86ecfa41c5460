package io.trustmesh.policy.migrate;

import io.trustmesh.policy.model.ClientTlsMode;
import io.trustmesh.policy.resolve.Dataplane;
import io.trustmesh.policy.resolve.PairOutcome;
import io.trustmesh.policy.resolve.PortDecision;
import io.trustmesh.policy.resolve.Resolution;
import io.trustmesh.policy.resolve.ServerMode;
import io.trustmesh.policy.resolve.ServicePorts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Plans the move of every PERMISSIVE port to STRICT. Blockers are: plaintext clients seen in the
 * access logs; DestinationRules that make mesh clients send plaintext or non-Istio TLS to the
 * port; and, as a warning, workloads without a sidecar in the inputs that may be callers. The
 * rollout goes namespace by namespace, fewest blockers first, so early steps are the safe ones.
 */
public final class MigrationPlanner {
  private final Resolution resolution;

  public MigrationPlanner(Resolution resolution) {
    this.resolution = resolution;
  }

  /** {@code logs} maps a workload ({@code namespace/name}, or empty for "any") to its access-log entries. */
  public MigrationPlan plan(Map<String, List<AccessLogEntry>> logs) {
    List<MigrationPlan.PortPlan> ports = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<String> unmeshed = resolution.model().workloads().stream()
        .filter(w -> resolution.workloadPorts().dataplane(w) == Dataplane.NONE).map(w -> w.ref().display()).toList();
    for (PortDecision d : resolution.workloadPorts().all()) {
      if (d.mode() != ServerMode.PERMISSIVE) {
        continue;
      }
      Map<String, Integer> clients = new TreeMap<>();
      for (Map.Entry<String, List<AccessLogEntry>> e : logs.entrySet()) {
        if (!e.getKey().isEmpty() && !e.getKey().equals(d.namespace() + "/" + d.workload().name())) {
          continue;
        }
        for (AccessLogEntry entry : e.getValue()) {
          if (entry.plaintext() && (entry.port().isEmpty() || entry.port().getAsInt() == d.port())) {
            clients.merge(entry.clientHost(), 1, Integer::sum);
          }
        }
      }
      List<String> blockers = new ArrayList<>();
      clients.forEach((host, n) -> blockers.add("plaintext client " + host + " (" + n + " connection"
          + (n == 1 ? "" : "s") + "): give it a sidecar or identity"));
      blockers.addAll(destinationRuleBlockers(d));
      ports.add(new MigrationPlan.PortPlan(d, clients, blockers));
    }
    if (!unmeshed.isEmpty()) {
      notes.add("workloads without a sidecar that may call these ports (not seen in logs unless listed): "
          + String.join(", ", unmeshed));
    }
    if (logs.isEmpty()) {
      notes.add("no --access-log given: plaintext clients are unknown; collect a week of logs before switching");
    }
    List<MigrationPlan.NamespaceStep> rollout = rollout(ports);
    return new MigrationPlan(ports, rollout, StrictManifests.render(resolution, rollout), notes, !logs.isEmpty());
  }

  private List<String> destinationRuleBlockers(PortDecision d) {
    List<String> out = new ArrayList<>();
    for (PairOutcome p : resolution.istioPairs()) {
      if (!resolution.servicePorts().backends(p.service()).contains(d.workload())) {
        continue;
      }
      Optional<Integer> target = ServicePorts.targetPort(p.port(), d.workload());
      if (target.isEmpty() || target.get() != d.port()) {
        continue;
      }
      boolean plaintextRule = p.client().tls().map(t -> t.mode() != ClientTlsMode.ISTIO_MUTUAL).orElse(false);
      if (plaintextRule) {
        out.add(p.client().rule().get().ref().display() + " makes clients in " + p.clientNamespace() + " send "
            + p.client().mode() + ": change it to ISTIO_MUTUAL or remove its tls block");
      }
    }
    return out.stream().distinct().toList();
  }

  private List<MigrationPlan.NamespaceStep> rollout(List<MigrationPlan.PortPlan> ports) {
    Map<String, Integer> blockers = new LinkedHashMap<>();
    Map<String, Dataplane> dataplanes = new LinkedHashMap<>();
    for (MigrationPlan.PortPlan p : ports) {
      blockers.merge(p.port().namespace(), p.blockers().size(), Integer::sum);
      dataplanes.putIfAbsent(p.port().namespace(), p.port().dataplane());
    }
    List<String> order = new ArrayList<>(blockers.keySet());
    order.sort(Comparator.comparing((String ns) -> resolution.options().production(ns))
        .thenComparing(blockers::get).thenComparing(ns -> ns));
    List<MigrationPlan.NamespaceStep> out = new ArrayList<>();
    int i = 1;
    for (String ns : order) {
      Dataplane dp = dataplanes.get(ns);
      String action = dp == Dataplane.LINKERD
          ? "annotate namespace " + ns + " config.linkerd.io/default-inbound-policy=all-authenticated and restart its pods"
          : "apply PeerAuthentication " + ns + "/" + namespacePolicyName(ns) + " with mtls.mode STRICT";
      out.add(new MigrationPlan.NamespaceStep(i++, ns, dp.label(), blockers.get(ns), action));
    }
    return out;
  }

  /** Reuse the name of the namespace-wide policy in force, so the manifest replaces it. */
  String namespacePolicyName(String ns) {
    return resolution.model().peerAuthentications().stream()
        .filter(p -> p.ref().namespace().equals(ns) && !p.hasSelector())
        .map(p -> p.ref().name()).sorted().findFirst().orElse("default");
  }
}
