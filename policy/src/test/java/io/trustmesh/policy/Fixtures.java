package io.trustmesh.policy;

import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.resolve.PortDecision;
import io.trustmesh.policy.rules.Finding;
import io.trustmesh.policy.source.InputFiles;
import java.io.ByteArrayInputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Test helpers: analyze test resources or inline YAML, and look up modes and findings. */
public final class Fixtures {
  private Fixtures() {}

  public static Path resource(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("no test resource " + name, e);
    }
  }

  public static Analysis analyzeResources(AnalysisOptions options, String... names) {
    List<String> paths = Arrays.stream(names).map(n -> resource(n).toString()).toList();
    return new PolicyAnalyzer(options).analyze(new InputFiles(new ByteArrayInputStream(new byte[0])).expand(paths),
        Optional.empty());
  }

  public static Analysis analyzeYaml(AnalysisOptions options, String yaml) {
    return new PolicyAnalyzer(options).analyze(List.of(new InputFiles.Input("inline.yaml", yaml)), Optional.empty());
  }

  public static Analysis analyzeYaml(String yaml) {
    return analyzeYaml(AnalysisOptions.defaults(), yaml);
  }

  public static PortDecision port(Analysis a, String namespace, String workload, int port) {
    return a.resolution().workloadPorts().all().stream()
        .filter(d -> d.namespace().equals(namespace) && d.workload().name().equals(workload) && d.port() == port)
        .findFirst().orElseThrow(() -> new AssertionError("no port " + namespace + "/" + workload + ":" + port));
  }

  public static List<Finding> findings(Analysis a, String ruleId) {
    return a.findings().stream().filter(f -> f.rule().id().equals(ruleId)).toList();
  }

  public static List<String> ruleIds(Analysis a) {
    return a.findings().stream().map(f -> f.rule().id()).distinct().sorted().toList();
  }
}
