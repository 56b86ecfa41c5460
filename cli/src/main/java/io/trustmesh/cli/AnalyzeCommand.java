package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.policy.Analysis;
import io.trustmesh.policy.PolicyAnalyzer;
import io.trustmesh.policy.report.JsonReport;
import io.trustmesh.policy.report.SarifReport;
import io.trustmesh.policy.report.TextReport;
import io.trustmesh.policy.rules.Framework;
import io.trustmesh.policy.rules.Severity;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Read Istio, Linkerd, cert-manager and Kubernetes YAML and SPIRE server.conf/agent.conf, offline, and",
      "print the mTLS mode every workload port really gets (with the object and line that decided it),",
      "then the findings: conflicts between clients and servers, policies Istio ignores, plaintext in",
      "production, weak certificates, risky SPIRE settings. Semantics: docs/policy.md; rules:",
      "docs/policy-rules.md.",
      "",
      "Examples:",
      "  trustmesh analyze k8s/ spire/server.conf --production 'prod*'",
      "  kubectl get pa,dr,ns,deploy,svc -A -o yaml | trustmesh analyze - --output json",
      "  trustmesh analyze k8s/ --output sarif --profile pci-dss > trustmesh.sarif   # for code scanning",
      "",
      "Exit codes: 0 no finding at or above --fail-on, 1 there is one, 2 usage or input error."
    })
final class AnalyzeCommand implements Callable<Integer> {
  enum Format { text, json, sarif }

  enum Threshold { error, warning, info }

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH",
      description = "YAML files, directories (read recursively) or - for stdin; .conf/.hcl files are SPIRE HCL.")
  List<String> paths;

  @Mixin PolicyInputs inputs;

  @Option(names = "--output", defaultValue = "text", paramLabel = "text|json|sarif",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = "--profile", paramLabel = "pci-dss|hipaa|nist-800-207",
      description = "Only the rules that support this framework, with its references.")
  String profile;

  @Option(names = "--fail-on", defaultValue = "error", paramLabel = "error|warning|info",
      description = "Exit 1 when a finding of this severity or worse exists (default: ${DEFAULT-VALUE}).")
  Threshold failOn;

  @Override
  public Integer call() {
    Optional<Framework> framework;
    try {
      framework = Optional.ofNullable(profile).map(Framework::byId);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
    Analysis a = new PolicyAnalyzer(inputs.options()).analyze(PolicyInputs.read(paths), framework);
    PrintWriter out = spec.commandLine().getOut();
    switch (format) {
      case json -> OutputFormat.print(out, JsonReport.render(a));
      case sarif -> OutputFormat.print(out, SarifReport.render(a, version()));
      default -> out.print(TextReport.render(a));
    }
    out.flush();
    return a.failsAt(Severity.valueOf(failOn.name().toUpperCase(Locale.ROOT))) ? Main.FAILED : Main.OK;
  }

  static String version() {
    String v = AnalyzeCommand.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
