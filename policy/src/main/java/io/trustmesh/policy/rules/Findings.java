package io.trustmesh.policy.rules;

import io.trustmesh.policy.source.SourceLocation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects findings; the same rule, message and place is reported once. */
public final class Findings {
  private final Set<Finding> found = new LinkedHashSet<>();

  public void add(RuleInfo rule, String message, SourceLocation at) {
    found.add(new Finding(rule, rule.severity(), message, at, rule.fix()));
  }

  public void add(RuleInfo rule, Severity severity, String message, SourceLocation at) {
    found.add(new Finding(rule, severity, message, at, rule.fix()));
  }

  /** In file, line, rule order, so output is stable. */
  public List<Finding> sorted() {
    List<Finding> out = new ArrayList<>(found);
    out.sort(Comparator.comparing((Finding f) -> f.location().file()).thenComparingInt(f -> f.location().line())
        .thenComparing(f -> f.rule().id()).thenComparing(Finding::message));
    return out;
  }
}
