package io.trustmesh.policy.rules;

import io.trustmesh.policy.model.Workload;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a port serves metrics or health checks, the one kind of port where plaintext is a
 * reasonable trade (scrapers and kubelet probes have no mesh identity). A port is such a port if a
 * probe uses it, its name says so, or it is a well-known telemetry port.
 */
final class PortPurpose {
  private static final Set<Integer> TELEMETRY = Set.of(9090, 9091, 9100, 9102, 9113, 15014, 15020, 15021, 15090, 4191);
  private static final String[] WORDS = {"metric", "health", "prom", "monitor", "stats", "status", "probe", "admin"};

  private PortPurpose() {}

  static boolean telemetry(Workload w, int port, String name) {
    if (w != null && w.probePorts().contains(port)) {
      return true;
    }
    String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
    for (String word : WORDS) {
      if (n.contains(word)) {
        return true;
      }
    }
    return TELEMETRY.contains(port);
  }
}
