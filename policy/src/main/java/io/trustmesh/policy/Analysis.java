package io.trustmesh.policy;

import io.trustmesh.policy.resolve.Resolution;
import io.trustmesh.policy.rules.Finding;
import io.trustmesh.policy.rules.Framework;
import io.trustmesh.policy.rules.Severity;
import java.util.List;
import java.util.Optional;

/**
 * The result of {@code analyze}: the resolution (modes per workload port, client/server pairs)
 * and the findings, optionally narrowed to one compliance profile.
 */
public record Analysis(Resolution resolution, List<Finding> findings, Optional<Framework> profile) {
  public Analysis {
    findings = List.copyOf(findings);
  }

  /** Exit code of {@code analyze}: 1 when a finding at or above the threshold exists. */
  public boolean failsAt(Severity threshold) {
    return findings.stream().anyMatch(f -> f.severity().atLeast(threshold));
  }
}
