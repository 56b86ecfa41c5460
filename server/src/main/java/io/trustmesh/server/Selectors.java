package io.trustmesh.server;

import io.trustmesh.core.BadInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The selectors a registration entry may use: exactly those the agent's unix workload attestor
 * produces, in exactly the form it produces them. The agent matches an entry by string equality,
 * so a selector it never emits ({@code unix:uid:abc}, {@code unix:uid:01}, {@code k8s:ns:default},
 * an uppercase hash, a relative path) would make an entry that silently never matches.
 *
 * <pre>{@code
 * Selectors.validate("unix:uid:1000");      // ok
 * Selectors.validate("unix:uid:-1");        // BadInputException naming the value and the valid kinds
 * }</pre>
 */
final class Selectors {
  /** Linux uid_t/gid_t are unsigned 32 bits; (uid_t) -1 means "no user" and is never a process's. */
  private static final long MAX_ID = 4_294_967_294L;
  /** The kernel's PID_MAX_LIMIT on 64-bit Linux. */
  private static final long MAX_PID = 4_194_304L;
  private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,9}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private record Kind(String example, String rule) {}

  private static final Map<String, Kind> KINDS = new LinkedHashMap<>();

  static {
    KINDS.put("unix:uid", new Kind("unix:uid:1000", "a user ID 0.." + MAX_ID + " in decimal, without leading zeros"));
    KINDS.put("unix:gid", new Kind("unix:gid:100", "a group ID 0.." + MAX_ID + " in decimal, without leading zeros"));
    KINDS.put("unix:pid", new Kind("unix:pid:4242", "a process ID 1.." + MAX_PID + " in decimal, without leading zeros"));
    KINDS.put("unix:path", new Kind("unix:path:/usr/bin/app",
        "an absolute, normalised executable path (no '//', '.', '..', trailing '/' or control characters)"));
    KINDS.put("unix:sha256", new Kind("unix:sha256:HEX", "the executable's SHA-256 as 64 lowercase hex digits"));
  }

  private Selectors() {}

  /** One line listing what the agent can attest, for error messages and help. */
  static String validKinds() {
    return String.join(", ", KINDS.values().stream().map(Kind::example).toList());
  }

  static List<String> validateAll(List<String> selectors) {
    selectors.forEach(Selectors::validate);
    return selectors;
  }

  static String validate(String selector) {
    int first = selector.indexOf(':');
    int second = first < 0 ? -1 : selector.indexOf(':', first + 1);
    if (second < 0) {
      throw bad(selector, "expected TYPE:KEY:VALUE");
    }
    String kind = selector.substring(0, second);
    String value = selector.substring(second + 1);
    Kind k = KINDS.get(kind);
    if (k == null) {
      throw bad(selector, "no attestor produces '" + kind + "' selectors");
    }
    boolean ok = switch (kind) {
      case "unix:uid", "unix:gid" -> inRange(value, 0, MAX_ID);
      case "unix:pid" -> inRange(value, 1, MAX_PID);
      case "unix:path" -> isNormalisedAbsolutePath(value);
      case "unix:sha256" -> SHA256.matcher(value).matches();
      default -> false;
    };
    if (!ok) {
      throw bad(selector, kind + " takes " + k.rule());
    }
    return selector;
  }

  private static boolean inRange(String value, long min, long max) {
    if (!DECIMAL.matcher(value).matches()) {
      return false;
    }
    long n = Long.parseLong(value);
    return n >= min && n <= max;
  }

  /** What {@code readlink /proc/PID/exe} can return: absolute, no empty, '.' or '..' segment. */
  private static boolean isNormalisedAbsolutePath(String value) {
    if (!value.startsWith("/") || value.length() > 4096 || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return false; // control characters: also the entry store's separator, '\n'
    }
    if (value.equals("/")) {
      return false;
    }
    for (String segment : value.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  private static BadInputException bad(String selector, String why) {
    return new BadInputException("invalid selector '" + selector + "': " + why + "; valid kinds: " + validKinds());
  }
}
