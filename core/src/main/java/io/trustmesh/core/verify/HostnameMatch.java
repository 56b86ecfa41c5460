package io.trustmesh.core.verify;

import java.net.InetAddress;
import java.util.Locale;

/** Peer name matching: DNS names with RFC 6125 wildcards, and IP addresses. */
final class HostnameMatch {
  private HostnameMatch() {}

  /**
   * True when the SAN {@code pattern} matches {@code host}. A wildcard is allowed only as the whole
   * left-most label ({@code *.example.com}), matches exactly one label, and matches nothing when
   * what follows it is a public suffix ({@code *.com}, {@code *.co.uk}).
   */
  static boolean dns(String pattern, String host) {
    String p = normalize(pattern);
    String h = normalize(host);
    if (p.isEmpty() || h.isEmpty() || !CertificateChecks.validDnsName(h, false)) {
      return false;
    }
    if (!p.startsWith("*.")) {
      return !p.contains("*") && p.equals(h);
    }
    String suffix = p.substring(2); // "example.com"
    if (suffix.contains("*") || PublicSuffixes.get().isPublicSuffix(suffix)) {
      return false;
    }
    if (!h.endsWith("." + suffix)) {
      return false;
    }
    String label = h.substring(0, h.length() - suffix.length() - 1);
    return !label.isEmpty() && !label.contains(".");
  }

  static boolean ip(byte[] san, InetAddress want) {
    return java.util.Arrays.equals(san, want.getAddress());
  }

  private static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
