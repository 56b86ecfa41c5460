package io.trustmesh.policy.rules;

import java.util.List;
import java.util.Locale;

/** A rule's fixed metadata: stable id, default severity, what it checks, how to fix, what it supports. */
public record RuleInfo(String id, String name, Severity severity, String summary, String fix, List<Reference> references) {
  public RuleInfo {
    references = List.copyOf(references);
  }

  /** The anchor of the rule's section in docs/policy-rules.md. */
  public String docAnchor() {
    return id.toLowerCase(Locale.ROOT);
  }

  public boolean supports(Framework f) {
    return references.stream().anyMatch(r -> r.framework() == f);
  }
}
