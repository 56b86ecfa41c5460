package io.trustmesh.policy.model;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in Go's {@code time.ParseDuration} syntax, which Kubernetes objects and SPIRE use:
 * {@code 24h}, {@code 2160h0m0s}, {@code 1h30m}, {@code 500ms}. SPIRE also accepts a bare number of
 * seconds for some keys; that is accepted too.
 */
public final class GoDuration {
  private static final Pattern WHOLE = Pattern.compile("(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private GoDuration() {}

  /** The duration, or empty when the text is not a Go duration. */
  public static Optional<Duration> parse(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String s = raw.trim();
    if (s.matches("\\d+")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(s)));
    }
    if (!WHOLE.matcher(s).matches()) {
      return Optional.empty();
    }
    double nanos = 0;
    Matcher m = PART.matcher(s);
    while (m.find()) {
      double n = Double.parseDouble(m.group(1));
      nanos += n * switch (m.group(2)) {
        case "ns" -> 1d;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
    }
    return Optional.of(Duration.ofNanos((long) nanos));
  }
}
