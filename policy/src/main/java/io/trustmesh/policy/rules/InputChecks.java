package io.trustmesh.policy.rules;

import io.trustmesh.policy.resolve.Resolution;
import io.trustmesh.policy.source.ReadProblem;

/** Turns what the readers could not understand into findings, so nothing is dropped silently. */
final class InputChecks implements Check {
  @Override
  public void run(Resolution r, Findings out) {
    for (ReadProblem p : r.model().problems()) {
      RuleInfo rule = switch (p.kind()) {
        case MALFORMED, DUPLICATE_KEY -> RuleCatalog.INPUT_MALFORMED;
        case UNKNOWN_KIND -> RuleCatalog.INPUT_UNKNOWN_KIND;
        case UNSUPPORTED_VERSION -> RuleCatalog.INPUT_UNSUPPORTED_VERSION;
        case INVALID_FIELD -> RuleCatalog.INPUT_INVALID_FIELD;
      };
      out.add(rule, p.message(), p.location());
    }
  }
}
