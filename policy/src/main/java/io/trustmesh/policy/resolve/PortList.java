package io.trustmesh.policy.resolve;

import java.util.Set;
import java.util.TreeSet;

/** Linkerd's port lists in annotations: {@code "25,587,4222-4224"}. Unreadable entries are skipped. */
public final class PortList {
  private PortList() {}

  public static Set<Integer> parse(String raw) {
    Set<Integer> out = new TreeSet<>();
    if (raw == null) {
      return out;
    }
    for (String part : raw.split(",")) {
      String p = part.trim();
      try {
        int dash = p.indexOf('-');
        if (dash > 0) {
          int from = Integer.parseInt(p.substring(0, dash).trim());
          int to = Integer.parseInt(p.substring(dash + 1).trim());
          for (int i = from; i <= to && i <= 65535 && out.size() < 65536; i++) {
            out.add(i);
          }
        } else if (!p.isEmpty()) {
          out.add(Integer.parseInt(p));
        }
      } catch (NumberFormatException ignored) {
        // not a port: Linkerd's injector ignores it too
      }
    }
    return out;
  }
}
