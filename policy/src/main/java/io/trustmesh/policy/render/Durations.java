package io.trustmesh.policy.render;

import java.time.Duration;

/** Durations as Go prints them ({@code time.Duration.String()}): {@code 1h0m0s}, {@code 20m0s}, {@code 45s}. */
final class Durations {
  private Durations() {}

  static String go(Duration d) {
    long s = d.getSeconds();
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    if (h > 0) {
      return h + "h" + m + "m" + sec + "s";
    }
    return m > 0 ? m + "m" + sec + "s" : sec + "s";
  }

  /** SPIRE's HCL settings take Go durations too; whole hours read better there ({@code 168h}). */
  static String compact(Duration d) {
    long s = d.getSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }
}
