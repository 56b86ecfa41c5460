package io.trustmesh.policy.rules;

import io.trustmesh.policy.model.ContainerPort;
import io.trustmesh.policy.model.Namespace;
import io.trustmesh.policy.model.Workload;
import io.trustmesh.policy.resolve.Dataplane;
import io.trustmesh.policy.resolve.LinkerdResolver;
import io.trustmesh.policy.resolve.PortList;
import io.trustmesh.policy.resolve.Resolution;
import io.trustmesh.policy.source.SourceLocation;

/** Linkerd: ports that skip the proxy, and defaults that admit unauthenticated clients. */
final class LinkerdChecks implements Check {
  @Override
  public void run(Resolution r, Findings out) {
    for (Workload w : r.model().workloads()) {
      if (r.workloadPorts().dataplane(w) != Dataplane.LINKERD) {
        continue;
      }
      Severity severity = r.options().production(w.namespace()) ? Severity.ERROR : Severity.WARNING;
      for (int port : PortList.parse(r.linkerd().annotation(w, LinkerdResolver.SKIP_INBOUND))) {
        String name = w.ports().stream().filter(p -> p.port() == port).map(ContainerPort::name).findFirst().orElse("");
        if (!PortPurpose.telemetry(w, port, name)) {
          out.add(RuleCatalog.LINKERD_SKIP_PORTS, severity, w.ref().display() + " skips the proxy for inbound port "
              + port + ": callers reach it in plaintext, unauthenticated", w.ref().location());
        }
      }
      for (int port : PortList.parse(r.linkerd().annotation(w, LinkerdResolver.SKIP_OUTBOUND))) {
        if (!PortPurpose.telemetry(null, port, "")) {
          out.add(RuleCatalog.LINKERD_SKIP_PORTS, severity, w.ref().display() + " skips the proxy for outbound port "
              + port + ": its calls to that port leave without mTLS", w.ref().location());
        }
      }
      String podPolicy = w.annotations().get(LinkerdResolver.DEFAULT_POLICY);
      if ("all-unauthenticated".equals(podPolicy)) {
        out.add(RuleCatalog.LINKERD_ALL_UNAUTHENTICATED, w.ref().display() + " sets " + LinkerdResolver.DEFAULT_POLICY
            + ": all-unauthenticated", w.ref().location());
      }
    }
    for (Namespace ns : r.model().namespaces()) {
      if ("all-unauthenticated".equals(ns.annotations().get(LinkerdResolver.DEFAULT_POLICY))) {
        SourceLocation at = ns.ref().location();
        out.add(RuleCatalog.LINKERD_ALL_UNAUTHENTICATED, "namespace " + ns.name() + " sets "
            + LinkerdResolver.DEFAULT_POLICY + ": all-unauthenticated", at);
      }
    }
  }
}
