package io.trustmesh.policy.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.policy.Analysis;
import io.trustmesh.policy.model.ObjectRef;
import io.trustmesh.policy.resolve.PairOutcome;
import io.trustmesh.policy.resolve.PortDecision;
import io.trustmesh.policy.rules.Finding;
import io.trustmesh.policy.rules.Reference;
import io.trustmesh.policy.source.SourceLocation;
import java.util.Optional;

/**
 * {@code analyze --output json}: {@code workloads} (one entry per workload port with its mode and
 * what decided it, file and line), {@code pairs} (client namespace → service port, as tls-check)
 * and {@code findings}.
 */
public final class JsonReport {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private JsonReport() {}

  public static ObjectNode render(Analysis a) {
    ObjectNode root = F.objectNode();
    root.put("rootNamespace", a.resolution().rootNamespace());
    root.put("autoMtls", a.resolution().meshConfig().enableAutoMtls());
    root.put("trustDomain", a.resolution().meshConfig().trustDomain());
    a.profile().ifPresent(p -> root.put("profile", p.id()));
    ArrayNode workloads = root.putArray("workloads");
    for (PortDecision d : a.resolution().workloadPorts().all()) {
      ObjectNode w = workloads.addObject();
      w.put("namespace", d.namespace());
      w.put("workload", d.workload().name());
      w.put("kind", d.workload().ref().kind());
      w.put("port", d.port());
      w.put("portName", d.portName());
      w.put("dataplane", d.dataplane().label());
      w.put("mode", d.mode().name());
      w.put("reason", d.reason());
      w.set("decidedBy", ref(d.decidedBy(), d.decidedAt()));
    }
    ArrayNode pairs = root.putArray("pairs");
    for (PairOutcome p : a.resolution().istioPairs()) {
      ObjectNode o = pairs.addObject();
      o.put("clientNamespace", p.clientNamespace());
      o.put("host", p.service().hostname(a.resolution().options().clusterDomain()));
      o.put("port", p.port().port());
      o.put("status", p.status().name());
      o.put("server", p.server().name());
      o.put("client", p.client().mode());
      o.put("authnPolicy", p.authnPolicy().map(x -> x.ref().shortName()).orElse(null));
      o.put("destinationRule", p.client().rule().map(x -> x.ref().shortName()).orElse(null));
      o.put("why", p.why());
    }
    ArrayNode findings = root.putArray("findings");
    for (Finding f : a.findings()) {
      ObjectNode o = findings.addObject();
      o.put("ruleId", f.rule().id());
      o.put("rule", f.rule().name());
      o.put("severity", f.severity().label());
      o.put("message", f.message());
      o.put("file", f.location().file());
      o.put("line", f.location().line());
      o.put("fix", f.fix());
      ArrayNode refs = o.putArray("references");
      for (Reference r : Labels.references(f, a.profile())) {
        refs.add(r.display());
      }
    }
    return root;
  }

  private static ObjectNode ref(Optional<ObjectRef> ref, SourceLocation at) {
    ObjectNode o = F.objectNode();
    if (ref.isPresent()) {
      o.put("kind", ref.get().kind());
      o.put("namespace", ref.get().namespace());
      o.put("name", ref.get().name());
    } else {
      o.put("kind", "default");
    }
    o.put("file", at.file());
    o.put("line", at.line());
    return o;
  }
}
