package io.trustmesh.policy.migrate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** {@code migrate plan} output: text for people, JSON for scripts. */
public final class MigrationPlanReport {
  private MigrationPlanReport() {}

  public static String text(MigrationPlan plan) {
    StringBuilder sb = new StringBuilder();
    if (plan.ports().isEmpty()) {
      sb.append("No PERMISSIVE workload port in the inputs: nothing to migrate.\n");
      return sb.toString();
    }
    sb.append("PERMISSIVE ports (").append(plan.ports().size()).append("):\n");
    for (MigrationPlan.PortPlan p : plan.ports()) {
      sb.append("  ").append(p.port().namespace()).append('/').append(p.port().workload().name()).append(':')
          .append(p.port().port()).append("  (").append(p.port().reason()).append(")\n");
      if (p.blockers().isEmpty()) {
        sb.append(plan.accessLogs() ? "    ready: no plaintext client in the access logs, no DestinationRule sends plaintext\n"
            : "    no blocker in the manifests; plaintext clients unknown (no --access-log)\n");
      }
      p.blockers().forEach(b -> sb.append("    before STRICT: ").append(b).append('\n'));
    }
    sb.append("\nRollout (one namespace at a time; watch the access log for handshake_failed after each):\n");
    for (MigrationPlan.NamespaceStep s : plan.rollout()) {
      sb.append("  ").append(s.order()).append(". ").append(s.namespace()).append(": ")
          .append(s.blockers() == 0 ? "" : s.blockers() + " blocker(s) first, then ").append(s.action()).append('\n');
    }
    plan.notes().forEach(n -> sb.append("\nnote: ").append(n).append('\n'));
    sb.append("\nManifests to apply, in order:\n---\n").append(plan.manifests());
    return sb.toString();
  }

  public static ObjectNode json(MigrationPlan plan) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ArrayNode ports = root.putArray("ports");
    for (MigrationPlan.PortPlan p : plan.ports()) {
      ObjectNode o = ports.addObject();
      o.put("namespace", p.port().namespace());
      o.put("workload", p.port().workload().name());
      o.put("port", p.port().port());
      o.put("reason", p.port().reason());
      ObjectNode clients = o.putObject("plaintextClients");
      p.plaintextClients().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> clients.put(e.getKey(), e.getValue()));
      ArrayNode blockers = o.putArray("blockers");
      p.blockers().forEach(blockers::add);
    }
    ArrayNode rollout = root.putArray("rollout");
    for (MigrationPlan.NamespaceStep s : plan.rollout()) {
      ObjectNode o = rollout.addObject();
      o.put("order", s.order());
      o.put("namespace", s.namespace());
      o.put("dataplane", s.dataplane());
      o.put("blockers", s.blockers());
      o.put("action", s.action());
    }
    ArrayNode notes = root.putArray("notes");
    plan.notes().forEach(notes::add);
    root.put("manifests", plan.manifests());
    return root;
  }
}
