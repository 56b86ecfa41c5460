package io.trustmesh.policy.report;

import io.trustmesh.policy.Analysis;
import io.trustmesh.policy.resolve.PortDecision;
import io.trustmesh.policy.rules.Finding;
import io.trustmesh.policy.rules.Reference;
import java.util.stream.Collectors;

/** {@code analyze --output text}: a table per workload port, then the findings with their fixes. */
public final class TextReport {
  private TextReport() {}

  public static String render(Analysis a) {
    StringBuilder sb = new StringBuilder();
    Table t = new Table("NAMESPACE", "WORKLOAD", "PORT", "DATAPLANE", "MODE", "DECIDED BY");
    for (PortDecision d : a.resolution().workloadPorts().all()) {
      t.row(d.namespace(), d.workload().ref().kind() + "/" + d.workload().name(), String.valueOf(d.port()),
          d.dataplane().label(), d.mode().name(), Labels.decidedBy(d));
    }
    sb.append(t.empty() ? "No workload ports in the inputs.\n" : t.render());
    sb.append('\n');
    if (a.findings().isEmpty()) {
      sb.append("No findings").append(a.profile().map(p -> " for profile " + p.id()).orElse("")).append(".\n");
      return sb.toString();
    }
    sb.append(a.findings().size()).append(" finding").append(a.findings().size() == 1 ? "" : "s")
        .append(a.profile().map(p -> " (profile " + p.id() + ")").orElse("")).append(":\n");
    for (Finding f : a.findings()) {
      sb.append(String.format("%-7s %-14s %s  %s%n", f.severity().name(), f.rule().id(), f.location(), f.message()));
      sb.append("        fix: ").append(f.fix()).append('\n');
      String refs = Labels.references(f, a.profile()).stream().map(Reference::display).collect(Collectors.joining(", "));
      if (!refs.isEmpty()) {
        sb.append("        supports: ").append(refs).append('\n');
      }
    }
    return sb.toString();
  }
}
