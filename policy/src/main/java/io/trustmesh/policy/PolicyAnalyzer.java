package io.trustmesh.policy;

import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.read.ModelReader;
import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.resolve.Resolution;
import io.trustmesh.policy.rules.Finding;
import io.trustmesh.policy.rules.Framework;
import io.trustmesh.policy.rules.Rules;
import io.trustmesh.policy.source.InputFiles;
import java.util.List;
import java.util.Optional;

/**
 * The module's entry point: read inputs, resolve, run every rule.
 *
 * <pre>{@code
 * Analysis a = new PolicyAnalyzer(AnalysisOptions.defaults().withProduction(List.of("prod*")))
 *     .analyze(new InputFiles(System.in).expand(List.of("k8s/")), Optional.empty());
 * }</pre>
 */
public final class PolicyAnalyzer {
  private final AnalysisOptions options;

  public PolicyAnalyzer(AnalysisOptions options) {
    this.options = options;
  }

  public Analysis analyze(List<InputFiles.Input> inputs, Optional<Framework> profile) {
    return analyze(new ModelReader().read(inputs), profile);
  }

  public Analysis analyze(MeshModel model, Optional<Framework> profile) {
    Resolution resolution = new Resolution(model, options);
    List<Finding> findings = Rules.run(resolution);
    if (profile.isPresent()) {
      Framework f = profile.get();
      findings = findings.stream().filter(x -> x.rule().supports(f) || x.rule().references().isEmpty()).toList();
    }
    return new Analysis(resolution, findings, profile);
  }
}
