package io.trustmesh.doctor.expiry;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.time.Durations;
import java.time.Duration;
import java.time.Instant;

/**
 * When a certificate is "soon to expire": a fixed time left ({@code 30d}) or a share of its
 * lifetime left ({@code 33%}). Short-lived SVIDs make fixed days meaningless, so leaves default to
 * shares of their lifetime: a warning past 2/3 of it (a third left) and critical past 5/6 (a sixth
 * left); CAs to 30 and 7 days.
 */
public record Threshold(Duration timeLeft, double lifetimeLeftPercent) {
  public static final Threshold LEAF_WARN = percent(100.0 / 3);
  public static final Threshold LEAF_CRIT = percent(100.0 / 6);
  public static final Threshold CA_WARN = of(Duration.ofDays(30));
  public static final Threshold CA_CRIT = of(Duration.ofDays(7));

  public static Threshold of(Duration d) {
    return new Threshold(d, -1);
  }

  public static Threshold percent(double p) {
    return new Threshold(null, p);
  }

  /** {@code 30d}, {@code 12h}, or {@code 20%} (of the lifetime left). */
  public static Threshold parse(String raw) {
    String s = raw == null ? "" : raw.trim();
    if (s.endsWith("%")) {
      try {
        double p = Double.parseDouble(s.substring(0, s.length() - 1));
        if (p <= 0 || p >= 100) {
          throw new NumberFormatException();
        }
        return percent(p);
      } catch (NumberFormatException e) {
        throw new BadInputException("invalid threshold '" + raw + "' (a percentage must be between 0 and 100, e.g. 20%)");
      }
    }
    try {
      return of(Durations.parse(s));
    } catch (BadInputException e) {
      throw new BadInputException("invalid threshold '" + raw + "' (expected a duration such as 30d or 12h, or a share of the lifetime left such as 20%)");
    }
  }

  /** Whether a certificate valid from {@code notBefore} to {@code notAfter} has crossed this threshold at {@code now}. */
  public boolean crossed(Instant notBefore, Instant notAfter, Instant now) {
    Duration left = Duration.between(now, notAfter);
    if (timeLeft != null) {
      return left.compareTo(timeLeft) <= 0;
    }
    long lifetime = Duration.between(notBefore, notAfter).toSeconds();
    return lifetime <= 0 || left.toSeconds() * 100.0 / lifetime <= lifetimeLeftPercent;
  }

  @Override
  public String toString() {
    return timeLeft != null ? Durations.format(timeLeft) + " left" : String.format("%.1f%% of lifetime left", lifetimeLeftPercent);
  }
}
