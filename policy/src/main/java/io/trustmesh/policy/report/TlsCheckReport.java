package io.trustmesh.policy.report;

import io.trustmesh.policy.resolve.PairOutcome;
import java.util.List;

/**
 * {@code tls-check}: the columns of the retired {@code istioctl authn tls-check} — HOST:PORT,
 * STATUS, SERVER, CLIENT, AUTHN POLICY, DESTINATION RULE — with policies as {@code name/namespace}
 * and {@code -} when none applies; the reason for a CONFLICT follows the table.
 */
public final class TlsCheckReport {
  private TlsCheckReport() {}

  public static String render(List<PairOutcome> pairs, String domain) {
    Table t = new Table("HOST:PORT", "STATUS", "SERVER", "CLIENT", "AUTHN POLICY", "DESTINATION RULE");
    StringBuilder why = new StringBuilder();
    for (PairOutcome p : pairs) {
      String host = p.service().hostname(domain) + ":" + p.port().port();
      t.row(host, p.status().name(), p.server().name(), p.client().mode(),
          p.authnPolicy().map(x -> x.ref().shortName()).orElse("-"),
          p.client().rule().map(x -> x.ref().shortName()).orElse("-"));
      if (p.status() == PairOutcome.Status.CONFLICT) {
        why.append(host).append(": ").append(p.why()).append('\n');
      }
    }
    return t.render() + (why.length() == 0 ? "" : "\n" + why);
  }
}
