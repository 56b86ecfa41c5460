package io.trustmesh.policy.resolve;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings the manifests do not carry. {@code rootNamespace} empty means "from the mesh config,
 * else istio-system"; {@code production} are glob patterns ({@code prod-*}) for namespaces where
 * anything but STRICT is an error.
 */
public record AnalysisOptions(
    Optional<String> rootNamespace,
    List<String> production,
    String linkerdDefaultPolicy,
    String clusterDomain,
    Optional<String> trustDomain) {

  public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

  public AnalysisOptions {
    production = List.copyOf(production);
  }

  public static AnalysisOptions defaults() {
    return new AnalysisOptions(Optional.empty(), List.of(), "all-unauthenticated", "cluster.local", Optional.empty());
  }

  public AnalysisOptions withRootNamespace(String ns) {
    return new AnalysisOptions(Optional.of(ns), production, linkerdDefaultPolicy, clusterDomain, trustDomain);
  }

  public AnalysisOptions withProduction(List<String> patterns) {
    return new AnalysisOptions(rootNamespace, patterns, linkerdDefaultPolicy, clusterDomain, trustDomain);
  }

  public boolean production(String namespace) {
    return production.stream().anyMatch(p -> glob(p).matcher(namespace).matches());
  }

  private static Pattern glob(String p) {
    StringBuilder re = new StringBuilder();
    for (char c : p.toCharArray()) {
      re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(re.toString());
  }
}
