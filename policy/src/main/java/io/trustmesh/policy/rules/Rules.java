package io.trustmesh.policy.rules;

import io.trustmesh.policy.resolve.Resolution;
import java.util.List;

/** Runs every check over a resolution. */
public final class Rules {
  private static final List<Check> CHECKS = List.of(new InputChecks(), new PeerAuthenticationChecks(),
      new DestinationRuleChecks(), new AuthorizationPolicyChecks(), new ModeChecks(), new LinkerdChecks(),
      new CertificateChecks(), new SpireChecks());

  private Rules() {}

  public static List<Finding> run(Resolution r) {
    Findings out = new Findings();
    for (Check c : CHECKS) {
      c.run(r, out);
    }
    return out.sorted();
  }
}
