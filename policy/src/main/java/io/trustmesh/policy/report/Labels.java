package io.trustmesh.policy.report;

import io.trustmesh.policy.model.ObjectRef;
import io.trustmesh.policy.resolve.PortDecision;
import io.trustmesh.policy.rules.Finding;
import io.trustmesh.policy.rules.Framework;
import io.trustmesh.policy.rules.Reference;
import java.util.List;
import java.util.Optional;

/** How objects and references are named in every output format. */
final class Labels {
  private Labels() {}

  static String decidedBy(PortDecision d) {
    return d.decidedBy().map(ObjectRef::display).orElse("default") + (d.decidedAt().line() > 0 ? " (" + d.decidedAt() + ")" : "");
  }

  static List<Reference> references(Finding f, Optional<Framework> profile) {
    return f.rule().references().stream().filter(r -> profile.isEmpty() || r.framework() == profile.get()).toList();
  }
}
