package io.trustmesh.policy.rules;

import io.trustmesh.policy.model.ClientTls;
import io.trustmesh.policy.model.ClientTlsMode;
import io.trustmesh.policy.model.DestinationRule;
import io.trustmesh.policy.resolve.PairOutcome;
import io.trustmesh.policy.resolve.Resolution;
import io.trustmesh.policy.resolve.ServerMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Client-side TLS: DestinationRules against the servers they reach, and their own TLS settings. */
final class DestinationRuleChecks implements Check {
  @Override
  public void run(Resolution r, Findings out) {
    for (PairOutcome p : r.istioPairs()) {
      if (p.status() != PairOutcome.Status.CONFLICT || p.client().rule().isEmpty() || p.client().tls().isEmpty()) {
        continue;
      }
      DestinationRule dr = p.client().rule().get();
      ClientTls tls = p.client().tls().get();
      String target = p.service().name() + "." + p.service().namespace() + ":" + p.port().port();
      if (p.server() == ServerMode.STRICT && tls.mode() != ClientTlsMode.ISTIO_MUTUAL) {
        out.add(RuleCatalog.DR_PLAINTEXT_TO_STRICT, dr.ref().display() + " makes clients in " + p.clientNamespace()
            + " send " + tls.mode() + " to " + target + ", which is STRICT", tls.location());
      } else if (tls.mode() == ClientTlsMode.ISTIO_MUTUAL && !p.server().acceptsMtls()) {
        out.add(RuleCatalog.DR_ISTIO_MUTUAL_NO_SIDECAR, dr.ref().display() + " sends ISTIO_MUTUAL to " + target
            + (p.server() == ServerMode.DISABLE ? ", which is DISABLE" : ", which has no sidecar"), tls.location());
      }
    }
    for (DestinationRule dr : r.model().destinationRules()) {
      List<ClientTls> all = new ArrayList<>();
      dr.tls().ifPresent(all::add);
      all.addAll(dr.portTls().values());
      for (ClientTls tls : all) {
        if (tls.mode() == ClientTlsMode.MUTUAL && !tls.presentsClientCertificate()) {
          out.add(RuleCatalog.DR_MUTUAL_NO_CERT, dr.ref().display() + " uses MUTUAL toward " + dr.host()
              + " without clientCertificate and privateKey or credentialName", tls.location());
        }
        if ((tls.mode() == ClientTlsMode.SIMPLE || tls.mode() == ClientTlsMode.MUTUAL) && !tls.verifiesServer()) {
          out.add(RuleCatalog.DR_NO_CA, dr.ref().display() + " uses " + tls.mode() + " toward " + dr.host()
              + (tls.insecureSkipVerify() ? " with insecureSkipVerify" : " without caCertificates")
              + ": the server is not verified", tls.location());
        }
      }
    }
    Set<List<DestinationRule>> dup = new LinkedHashSet<>();
    for (DestinationRule dr : r.model().destinationRules()) {
      List<DestinationRule> same = r.destinationRules().sameHost(dr);
      if (same.size() > 1) {
        dup.add(same);
      }
    }
    for (List<DestinationRule> same : dup) {
      String names = same.stream().map(d -> d.ref().name()).collect(Collectors.joining(", "));
      out.add(RuleCatalog.DR_DUPLICATE, "DestinationRules " + names + " in " + same.get(0).ref().namespace()
          + " all name host " + same.get(0).host() + ": Istio merges them and uses " + same.get(0).ref().name()
          + "'s traffic policy", same.get(1).ref().location());
    }
  }
}
