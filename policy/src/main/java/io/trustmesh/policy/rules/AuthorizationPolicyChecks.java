package io.trustmesh.policy.rules;

import io.trustmesh.policy.model.AuthorizationPolicy;
import io.trustmesh.policy.model.SourceCondition;
import io.trustmesh.policy.model.Workload;
import io.trustmesh.policy.resolve.PortDecision;
import io.trustmesh.policy.resolve.Resolution;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Identity-based authorization needs an identity: principals and namespaces come from the peer's
 * mTLS certificate, so on a port that still accepts plaintext an ALLOW on them never admits a
 * plaintext caller and a DENY on them never stops one.
 */
final class AuthorizationPolicyChecks implements Check {
  @Override
  public void run(Resolution r, Findings out) {
    for (AuthorizationPolicy ap : r.model().authorizationPolicies()) {
      if (ap.sourceConditions().isEmpty() || onlyPlaintextCallers(ap)) {
        continue;
      }
      for (Workload w : selected(r, ap)) {
        List<PortDecision> plaintext = r.workloadPorts().of(w).stream()
            .filter(d -> ap.ports().isEmpty() || ap.ports().contains(d.port()))
            .filter(d -> d.mode().acceptsPlaintext())
            .filter(d -> !(ap.action().equals("ALLOW") && plaintextAllowedElsewhere(r, w, d.port())))
            .toList();
        if (plaintext.isEmpty()) {
          continue;
        }
        String ports = plaintext.stream().map(d -> d.port() + " (" + d.mode() + ")").collect(Collectors.joining(", "));
        String fields = ap.sourceConditions().stream().map(SourceCondition::field).distinct().collect(Collectors.joining(", "));
        String effect = ap.action().equals("DENY") ? "plaintext callers are never denied" : "plaintext callers never match";
        out.add(RuleCatalog.AUTHZ_NOT_STRICT, ap.ref().display() + " (" + ap.action() + " on " + fields + ") guards "
            + w.ref().display() + " port " + ports + ": " + effect, ap.sourceConditions().get(0).location());
      }
      String td = r.meshConfig().trustDomain();
      for (SourceCondition c : ap.sourceConditions()) {
        if (!c.namesPrincipals()) {
          continue;
        }
        for (String v : c.values()) {
          String p = v.startsWith("spiffe://") ? v.substring("spiffe://".length()) : v;
          int slash = p.indexOf('/');
          if (p.startsWith("*") || slash <= 0) {
            continue;
          }
          String domain = p.substring(0, slash);
          if (!domain.equals(td) && !domain.equals("*")) {
            out.add(RuleCatalog.AUTHZ_FOREIGN_TRUST_DOMAIN, ap.ref().display() + " names principal " + v
                + " of trust domain " + domain + ", but the mesh's trust domain is " + td, c.location());
          }
        }
      }
    }
  }

  /**
   * {@code notPrincipals: ["*"]} alone is Istio's idiom for "callers without a peer identity": it
   * matches exactly the plaintext callers, so it cannot be a rule that plaintext never matches.
   */
  private static boolean onlyPlaintextCallers(AuthorizationPolicy ap) {
    return ap.sourceConditions().stream()
        .allMatch(c -> c.field().equals("notPrincipals") && c.values().equals(List.of("*")));
  }

  /**
   * ALLOW policies are ORed: when another ALLOW policy on the workload admits plaintext callers on
   * this port with {@code notPrincipals: ["*"]}, plaintext callers are served and an identity-based
   * ALLOW next to it is not a mistake. (A policy without source conditions does not count: the model
   * cannot tell "no rules", which denies everything, from "rules without a source".)
   */
  private static boolean plaintextAllowedElsewhere(Resolution r, Workload w, int port) {
    return r.model().authorizationPolicies().stream()
        .filter(o -> o.action().equals("ALLOW"))
        .filter(o -> !o.sourceConditions().isEmpty() && onlyPlaintextCallers(o))
        .filter(o -> o.ports().isEmpty() || o.ports().contains(port))
        .anyMatch(o -> selected(r, o).contains(w));
  }

  /** Root namespace: the whole mesh; elsewhere: its namespace; a selector narrows to matching workloads. */
  private static List<Workload> selected(Resolution r, AuthorizationPolicy ap) {
    boolean root = ap.ref().namespace().equals(r.rootNamespace());
    return r.model().workloads().stream()
        .filter(w -> root || w.namespace().equals(ap.ref().namespace()))
        .filter(w -> w.matches(ap.selector()))
        .toList();
  }
}
