package io.trustmesh.policy.resolve;

/**
 * Istio's host names: short names are resolved against the namespace of the object that wrote
 * them ({@code reviews} in {@code default} is {@code reviews.default.svc.cluster.local}); a name
 * with a dot is taken as written; {@code *.suffix} matches any name ending in {@code .suffix} and
 * {@code *} matches all. Among matches, exact beats wildcard and a longer wildcard beats a shorter
 * one ({@code MostSpecificHostMatch}).
 */
public final class HostMatch {
  private HostMatch() {}

  public static String resolve(String host, String namespace, String domain) {
    if (host.equals("*") || host.contains(".")) {
      return host;
    }
    return host + "." + namespace + ".svc." + domain;
  }

  public static boolean matches(String pattern, String host) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.startsWith("*")) {
      return host.endsWith(pattern.substring(1));
    }
    return pattern.equalsIgnoreCase(host);
  }

  /** Higher is more specific: exact names beat every wildcard, then longer wildcards win. */
  public static int specificity(String pattern) {
    return pattern.startsWith("*") ? pattern.length() : Integer.MAX_VALUE;
  }
}
