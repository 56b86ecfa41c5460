package io.trustmesh.policy.rules;

import io.trustmesh.policy.model.GoDuration;
import io.trustmesh.policy.model.SpireConfig;
import io.trustmesh.policy.model.SpirePlugin;
import io.trustmesh.policy.resolve.Resolution;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** SPIRE server and agent configuration. Defaults are SPIRE's: ca_ttl 24h, default_x509_svid_ttl 1h. */
final class SpireChecks implements Check {
  private static final Duration YEAR = Duration.ofHours(8760);

  @Override
  public void run(Resolution r, Findings out) {
    List<SpireConfig> servers = r.model().spireConfigs().stream().filter(c -> c.role() == SpireConfig.Role.SERVER).toList();
    for (SpireConfig s : servers) {
      String name = s.file();
      Duration ca = s.setting("ca_ttl").flatMap(GoDuration::parse).orElse(Duration.ofHours(24));
      String svidKey = s.setting("default_x509_svid_ttl").isPresent() ? "default_x509_svid_ttl" : "default_svid_ttl";
      Duration svid = s.setting(svidKey).flatMap(GoDuration::parse).orElse(Duration.ofHours(1));
      if (svid.multipliedBy(6).compareTo(ca) > 0) {
        out.add(RuleCatalog.SPIRE_SVID_TTL, name + ": " + svidKey + " " + CertificateChecks.human(svid) + " is above ca_ttl "
            + CertificateChecks.human(ca) + "/6", s.at(svidKey));
      }
      if (ca.compareTo(Duration.ofHours(24)) < 0 || ca.compareTo(YEAR) > 0) {
        out.add(RuleCatalog.SPIRE_CA_TTL, name + ": ca_ttl " + CertificateChecks.human(ca) + " is "
            + (ca.compareTo(YEAR) > 0 ? "above a year" : "under 24h"), s.at("ca_ttl"));
      }
      for (SpirePlugin km : s.plugins("KeyManager")) {
        if (km.name().equals("memory")) {
          out.add(RuleCatalog.SPIRE_MEMORY_KEYS, name + ": KeyManager \"memory\" loses the signing keys on restart",
              km.location());
        }
      }
    }
    Map<String, List<SpireConfig>> byDomain = servers.stream()
        .collect(Collectors.groupingBy(s -> s.setting("trust_domain").orElse("")));
    byDomain.forEach((td, group) -> {
      if (group.size() < 2) {
        return;
      }
      for (SpireConfig s : group) {
        for (SpirePlugin ds : s.plugins("DataStore")) {
          if (ds.dataString("database_type").equals("sqlite3")) {
            out.add(RuleCatalog.SPIRE_SQLITE_HA, s.file() + ": sqlite3 datastore while " + group.size()
                + " servers serve trust domain " + td, ds.location());
          }
        }
      }
    });
    for (SpireConfig a : r.model().spireConfigs()) {
      if (a.role() == SpireConfig.Role.AGENT && a.setting("insecure_bootstrap").map(v -> v.equals("true")).orElse(false)) {
        out.add(RuleCatalog.SPIRE_INSECURE_BOOTSTRAP, a.file() + ": insecure_bootstrap = true", a.at("insecure_bootstrap"));
      }
    }
  }
}
