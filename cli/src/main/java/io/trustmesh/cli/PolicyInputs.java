package io.trustmesh.cli;

import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.source.InputFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options shared by analyze, tls-check and migrate plan: how to read a mesh that the files do not fully describe. */
final class PolicyInputs {
  @Option(names = "--root-namespace", paramLabel = "NS",
      description = "Istio's root namespace (default: the mesh config's rootNamespace, else istio-system).")
  String rootNamespace;

  @Option(names = "--production", paramLabel = "PATTERN", split = ",",
      description = "Namespaces that must be STRICT, as globs (e.g. prod,prod-*,payments). Repeatable.")
  List<String> production = new ArrayList<>();

  @Option(names = "--linkerd-default-policy", paramLabel = "POLICY", defaultValue = "all-unauthenticated",
      description = "Linkerd's cluster-wide default inbound policy (default: ${DEFAULT-VALUE}, Linkerd's own default).")
  String linkerdDefault;

  @Option(names = "--trust-domain", paramLabel = "TD",
      description = "The mesh's trust domain for principal checks (default: the mesh config's, else cluster.local).")
  String trustDomain;

  @Option(names = "--cluster-domain", paramLabel = "DOMAIN", defaultValue = "cluster.local",
      description = "Kubernetes cluster domain for service host names (default: ${DEFAULT-VALUE}).")
  String clusterDomain;

  AnalysisOptions options() {
    return new AnalysisOptions(Optional.ofNullable(rootNamespace), production, linkerdDefault, clusterDomain,
        Optional.ofNullable(trustDomain));
  }

  static List<InputFiles.Input> read(List<String> paths) {
    return new InputFiles(System.in).expand(paths);
  }
}
