package io.trustmesh.core.verify;

import java.net.InetAddress;
import java.util.Locale;

/** Peer name matching: DNS names with RFC 6125 wildcards, and IP addresses. */
final class HostnameMatch {
  private HostnameMatch() {}

  /**
   * True when the SAN {@code pattern} matches {@code host}. A wildcard is allowed only as the whole
   * left-most label ({@code *.example.com}), matches exactly one label, and never matches a bare
   * public-suffix-like name with fewer than three labels in the pattern.
   */
  static boolean dns(String pattern, String host) {
    String p = normalize(pattern);
    String h = normalize(host);
    if (p.isEmpty() || h.isEmpty()) {
      return false;
    }
    if (!p.startsWith("*.")) {
      return !p.contains("*") && p.equals(h);
    }
    String suffix = p.substring(1); // ".example.com"
    if (suffix.contains("*") || suffix.chars().filter(ch -> ch == '.').count() < 2) {
      return false;
    }
    if (!h.endsWith(suffix)) {
      return false;
    }
    String label = h.substring(0, h.length() - suffix.length());
    return !label.isEmpty() && !label.contains(".");
  }

  static boolean ip(String san, InetAddress want) {
    try {
      return InetAddress.getByName(san).equals(want);
    } catch (Exception e) {
      return false;
    }
  }

  private static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
