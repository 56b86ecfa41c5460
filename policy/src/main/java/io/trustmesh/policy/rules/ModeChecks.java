package io.trustmesh.policy.rules;

import io.trustmesh.policy.model.MtlsMode;
import io.trustmesh.policy.model.PeerAuthentication;
import io.trustmesh.policy.model.Workload;
import io.trustmesh.policy.resolve.IstioWorkloadPolicy;
import io.trustmesh.policy.resolve.PortDecision;
import io.trustmesh.policy.resolve.Resolution;
import io.trustmesh.policy.resolve.ServerMode;
import io.trustmesh.policy.source.SourceLocation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The effective modes themselves: production must be STRICT, PERMISSIVE is a migration state, DISABLE is for telemetry. */
final class ModeChecks implements Check {
  @Override
  public void run(Resolution r, Findings out) {
    for (PortDecision d : r.workloadPorts().all()) {
      String where = d.workload().ref().display() + " port " + d.port();
      boolean telemetry = PortPurpose.telemetry(d.workload(), d.port(), d.portName());
      if (r.options().production(d.namespace()) && d.mode() != ServerMode.STRICT && d.mode() != ServerMode.DENY
          && !(telemetry && d.mode() == ServerMode.DISABLE)) {
        out.add(RuleCatalog.PRODUCTION_NOT_STRICT, where + " in production namespace " + d.namespace() + " is "
            + d.mode() + " (" + d.reason() + ")", d.decidedAt());
      }
      if (d.mode() == ServerMode.DISABLE && d.dataplane().istio() && !telemetry) {
        out.add(RuleCatalog.DISABLE_NOT_TELEMETRY, where + " has mTLS DISABLE but is not a metrics or health port",
            d.decidedAt());
      }
    }
    Map<String, Workload> firstIstioWorkload = new LinkedHashMap<>();
    for (Workload w : r.model().workloads()) {
      if (r.workloadPorts().dataplane(w).istio()) {
        firstIstioWorkload.putIfAbsent(w.namespace(), w);
      }
    }
    firstIstioWorkload.forEach((ns, w) -> {
      if (r.options().production(ns)) {
        return; // TM-MTLS-001 already reports every port there as an error
      }
      IstioWorkloadPolicy p = r.workloadPorts().istioPolicy(w).orElseThrow();
      MtlsMode nsMode = MtlsMode.PERMISSIVE;
      Optional<PeerAuthentication> from = Optional.empty();
      for (Optional<PeerAuthentication> level : List.of(p.mesh(), p.namespace())) {
        if (level.isPresent() && level.get().mode() != MtlsMode.UNSET) {
          nsMode = level.get().mode();
          from = level;
        }
      }
      if (nsMode == MtlsMode.PERMISSIVE) {
        SourceLocation at = from.map(f -> f.ref().location())
            .orElse(r.model().namespace(ns).map(n -> n.ref().location()).orElse(w.ref().location()));
        out.add(RuleCatalog.NAMESPACE_PERMISSIVE, "namespace " + ns + " is still PERMISSIVE ("
            + from.map(f -> "set by " + f.ref().display()).orElse("no PeerAuthentication: Istio's default") + ")", at);
      }
    });
  }
}
