package io.trustmesh.core.time;

import io.trustmesh.core.BadInputException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them: {@code 90s}, {@code 15m}, {@code 24h}, {@code 7d}, and
 * combinations such as {@code 1h30m}. Also accepts {@code y} as 365 days, for CA lifetimes.
 */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("(\\d{1,9}[smhdy])+");
  private static final Pattern PART = Pattern.compile("(\\d{1,9})([smhdy])");

  private Durations() {}

  /**
   * Parses a positive duration.
   *
   * @throws BadInputException naming the value and the accepted forms
   */
  public static Duration parse(String raw) {
    String s = raw == null ? "" : raw.trim();
    if (!WHOLE.matcher(s).matches()) {
      throw new BadInputException(
          "invalid duration '" + raw + "' (expected a number and a unit, e.g. 90s, 15m, 24h, 7d)");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(s);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(365 * n);
      });
    }
    if (total.isZero()) {
      throw new BadInputException("duration must be positive: '" + raw + "'");
    }
    return total;
  }

  /** Formats compactly for people: {@code 23h59m}, {@code 364d}, {@code 45s}, {@code expired}. */
  public static String format(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return "0s";
    }
    long days = d.toDays();
    long hours = d.toHoursPart();
    long minutes = d.toMinutesPart();
    long seconds = d.toSecondsPart();
    if (days >= 2) {
      return hours == 0 ? days + "d" : days + "d" + hours + "h";
    }
    long totalHours = d.toHours();
    if (totalHours >= 1) {
      return minutes == 0 ? totalHours + "h" : totalHours + "h" + minutes + "m";
    }
    if (minutes >= 1) {
      return seconds == 0 ? minutes + "m" : minutes + "m" + seconds + "s";
    }
    return seconds + "s";
  }
}
