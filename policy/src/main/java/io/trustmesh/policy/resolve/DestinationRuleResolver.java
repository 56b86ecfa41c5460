package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.DestinationRule;
import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.model.Service;
import io.trustmesh.policy.model.Workload;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The DestinationRule a client uses for a service, in Istio's lookup order
 * ({@code PushContext.destinationRule}):
 *
 * <ol>
 *   <li>rules in the client's own namespace that are visible there (exportTo empty, {@code *},
 *       {@code .} or the namespace's name: Istio's {@code namespaceLocal} index), most specific
 *       host first; for a client in the root namespace (a gateway) only the root rules that are
 *       private to it ({@code rootNamespaceLocal}), so that a mesh-wide {@code *.local} rule does
 *       not hide a service's own rule;
 *   <li>else rules in the service's namespace exported to the client's namespace;
 *   <li>else rules in the root namespace exported to the client's namespace.
 * </ol>
 * (pilot/pkg/model/push_context.go: {@code destinationRule} and {@code setDestinationRules}.)
 * exportTo: empty or {@code *} is everywhere, {@code .} the rule's own namespace, {@code ~}
 * nowhere, else the namespaces listed. Several rules for one host in one namespace are merged by
 * Istio with the oldest one's traffic policy winning; that rule is returned. Rules with a
 * {@code workloadSelector} are not modelled (they are skipped).
 */
public final class DestinationRuleResolver {
  private final MeshModel model;
  private final String rootNamespace;
  private final String domain;

  public DestinationRuleResolver(MeshModel model, String rootNamespace, String domain) {
    this.model = model;
    this.rootNamespace = rootNamespace;
    this.domain = domain;
  }

  public Optional<DestinationRule> forService(Optional<Workload> client, String clientNamespace, Service service) {
    return forHost(client, clientNamespace, service.hostname(domain), service.namespace());
  }

  public Optional<DestinationRule> forHost(Optional<Workload> client, String clientNamespace, String host,
      String serviceNamespace) {
    boolean inRoot = clientNamespace.equals(rootNamespace);
    Optional<DestinationRule> local = best(host, inNamespace(clientNamespace).stream()
        .filter(d -> !d.workloadSelector())
        .filter(d -> inRoot ? privateOnly(d) : visibleInOwnNamespace(d)).toList());
    if (local.isPresent()) {
      return local;
    }
    if (!serviceNamespace.isEmpty() && !serviceNamespace.equals(clientNamespace)) {
      Optional<DestinationRule> exported = best(host, exportedFrom(serviceNamespace, clientNamespace));
      if (exported.isPresent()) {
        return exported;
      }
    }
    return best(host, exportedFrom(rootNamespace, clientNamespace).stream()
        .filter(d -> !inRoot || !privateOnly(d)).toList());
  }

  /** Istio's namespaceLocal: exportTo empty, {@code *}, {@code .} or the rule's own namespace. */
  private static boolean visibleInOwnNamespace(DestinationRule d) {
    List<String> e = d.exportTo();
    return e.isEmpty() || e.contains("*") || e.contains(".") || e.contains(d.ref().namespace());
  }

  /** Istio's isPrivateOnly: exportTo is exactly {@code .} or exactly the rule's own namespace. */
  private static boolean privateOnly(DestinationRule d) {
    List<String> e = d.exportTo();
    return e.size() == 1 && (e.contains(".") || e.contains(d.ref().namespace()));
  }

  /** Every rule of one namespace naming exactly the same resolved host as {@code rule}. */
  public List<DestinationRule> sameHost(DestinationRule rule) {
    String host = resolved(rule);
    return model.destinationRules().stream()
        .filter(d -> d.ref().namespace().equals(rule.ref().namespace()) && resolved(d).equals(host) && !d.workloadSelector())
        .sorted(PolicyOrder.oldestFirst(DestinationRule::created, DestinationRule::ref))
        .toList();
  }

  public String resolved(DestinationRule d) {
    return HostMatch.resolve(d.host(), d.ref().namespace(), domain);
  }

  private List<DestinationRule> inNamespace(String ns) {
    return model.destinationRules().stream().filter(d -> d.ref().namespace().equals(ns)).toList();
  }

  private List<DestinationRule> exportedFrom(String ns, String clientNamespace) {
    return inNamespace(ns).stream().filter(d -> !d.workloadSelector() && exported(d, clientNamespace)).toList();
  }

  static boolean exported(DestinationRule d, String to) {
    List<String> e = d.exportTo();
    if (e.isEmpty() || e.contains("*")) {
      return true;
    }
    if (e.contains("~")) {
      return false;
    }
    return e.contains(to) || (e.contains(".") && d.ref().namespace().equals(to));
  }

  private Optional<DestinationRule> best(String host, List<DestinationRule> rules) {
    return rules.stream()
        .filter(d -> HostMatch.matches(resolved(d), host))
        .sorted(Comparator.<DestinationRule>comparingInt(d -> -HostMatch.specificity(resolved(d)))
            .thenComparing(PolicyOrder.oldestFirst(DestinationRule::created, DestinationRule::ref)))
        .findFirst();
  }
}
