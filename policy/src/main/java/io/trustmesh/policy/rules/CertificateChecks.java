package io.trustmesh.policy.rules;

import io.trustmesh.policy.model.CertIssuer;
import io.trustmesh.policy.model.Certificate;
import io.trustmesh.policy.resolve.Resolution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** cert-manager Certificates: lifetime, renewal, usages, key size, issuer. */
final class CertificateChecks implements Check {
  private static final Duration DAY = Duration.ofHours(24);
  private static final Duration MINIMUM_RENEW_BEFORE = Duration.ofMinutes(5);

  @Override
  public void run(Resolution r, Findings out) {
    for (Certificate c : r.model().certificates()) {
      String name = c.ref().display();
      Duration duration = c.effectiveDuration();
      Optional<CertIssuer> issuer = issuer(r, c);
      if (c.issuer().certManager() && issuer.isEmpty()) {
        out.add(RuleCatalog.CERT_ISSUER_MISSING, name + " names " + c.issuer().kind() + " " + c.issuer().name()
            + ", which is not in the inputs", c.at().issuerRef());
      }
      if (c.renewBefore().isPresent() && c.renewBeforePercentage().isPresent()) {
        out.add(RuleCatalog.CERT_RENEW_BOTH, name + " sets both renewBefore and renewBeforePercentage", c.at().renewBefore());
      }
      if ("RSA".equals(c.keyAlgorithm().toUpperCase(Locale.ROOT)) && c.keySize().orElse(2048) < 2048) {
        out.add(RuleCatalog.CERT_WEAK_RSA, name + " uses an RSA key of " + c.keySize().get() + " bits", c.at().privateKey());
      }
      if (c.isCa()) {
        continue; // the rest is about workload (leaf) certificates
      }
      if (duration.compareTo(DAY) > 0) {
        out.add(RuleCatalog.CERT_LONG_DURATION, name + " lives " + human(duration)
            + (c.duration().isEmpty() ? " (cert-manager's default)" : ""), c.at().duration());
      }
      if (c.renewBefore().isEmpty() && c.renewBeforePercentage().isEmpty()) {
        out.add(RuleCatalog.CERT_NO_RENEW_BEFORE, name + " has no renewBefore: cert-manager renews at 2/3 of "
            + human(duration), c.at().duration());
      }
      c.renewBefore().ifPresent(rb -> {
        if (rb.compareTo(duration) >= 0) {
          out.add(RuleCatalog.CERT_RENEW_BEFORE_TOO_LARGE, name + " renewBefore " + human(rb) + " is not less than duration "
              + human(duration) + ": cert-manager silently renews at 2/3 of the lifetime", c.at().renewBefore());
        } else if (rb.compareTo(MINIMUM_RENEW_BEFORE) < 0 || rb.multipliedBy(10).compareTo(duration) < 0) {
          out.add(RuleCatalog.CERT_RENEW_BEFORE_SMALL, name + " renewBefore " + human(rb) + " leaves little time to renew "
              + "a " + human(duration) + " certificate", c.at().renewBefore());
        }
      });
      List<String> missing = new ArrayList<>();
      for (String usage : List.of("client auth", "server auth")) {
        if (!c.usages().contains(usage)) {
          missing.add("'" + usage + "'");
        }
      }
      if (!missing.isEmpty()) {
        out.add(RuleCatalog.CERT_USAGES, name + " lacks usage " + String.join(" and ", missing),
            c.usages().isEmpty() ? c.ref().location() : c.at().usages());
      }
      if (issuer.map(CertIssuer::selfSigned).orElse(false)) {
        out.add(RuleCatalog.CERT_SELF_SIGNED, name + " is issued by self-signed " + issuer.get().ref().display(),
            c.at().issuerRef());
      }
    }
  }

  private static Optional<CertIssuer> issuer(Resolution r, Certificate c) {
    boolean cluster = c.issuer().kind().equals("ClusterIssuer");
    return r.model().issuers().stream()
        .filter(i -> i.cluster() == cluster && i.ref().name().equals(c.issuer().name()))
        .filter(i -> cluster || i.ref().namespace().equals(c.ref().namespace()))
        .findFirst();
  }

  static String human(Duration d) {
    long h = d.toHours();
    return h >= 48 && h % 24 == 0 ? (h / 24) + "d" : h >= 1 ? h + "h" + (d.toMinutesPart() > 0 ? d.toMinutesPart() + "m" : "")
        : d.toMinutes() + "m";
  }
}
