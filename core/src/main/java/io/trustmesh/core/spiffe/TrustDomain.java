package io.trustmesh.core.spiffe;

import java.util.Objects;

/**
 * A SPIFFE trust domain: the authority component of a SPIFFE ID, such as {@code example.org}.
 *
 * <p>Per the SPIFFE ID specification §2.1 a trust domain name is lowercase letters, digits, dots,
 * dashes and underscores only; it carries no port, no userinfo and no percent-encoding. It may be
 * given bare ({@code example.org}) or as an ID with an empty path ({@code spiffe://example.org}).
 *
 * <pre>{@code
 * TrustDomain td = TrustDomain.parse("example.org");
 * SpiffeId web = td.newSpiffeId("ns", "prod", "sa", "web");  // spiffe://example.org/ns/prod/sa/web
 * }</pre>
 */
public final class TrustDomain implements Comparable<TrustDomain> {
  /** The longest trust domain name we accept (SPIFFE ID spec §2.1, DNS name limit). */
  public static final int MAX_LENGTH = 255;

  private final String name;

  private TrustDomain(String name) {
    this.name = name;
  }

  /**
   * Parses a trust domain from its bare name or from a SPIFFE ID with an empty path.
   *
   * @throws InvalidSpiffeIdException naming the rule that {@code raw} breaks
   */
  public static TrustDomain parse(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new InvalidSpiffeIdException("trust domain is empty");
    }
    if (raw.contains(":/") || raw.startsWith(SpiffeId.SCHEME_PREFIX)) {
      SpiffeId id = SpiffeId.parse(raw);
      if (!id.path().isEmpty()) {
        throw new InvalidSpiffeIdException(
            "trust domain must not have a path: '" + raw + "' (use spiffe://" + id.trustDomain() + ")");
      }
      return id.trustDomain();
    }
    validateName(raw, raw);
    return new TrustDomain(raw);
  }

  /** Validates a trust domain name as it appears inside {@code full} (used for error messages). */
  static void validateName(String name, String full) {
    if (name.isEmpty()) {
      throw new InvalidSpiffeIdException("trust domain is missing in '" + full + "'");
    }
    if (name.length() > MAX_LENGTH) {
      throw new InvalidSpiffeIdException(
          "trust domain is longer than " + MAX_LENGTH + " characters in '" + abbreviate(full) + "'");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (isTrustDomainChar(c)) {
        continue;
      }
      if (c >= 'A' && c <= 'Z') {
        throw new InvalidSpiffeIdException(
            "trust domain must be lowercase: '" + name + "' in '" + abbreviate(full) + "'");
      }
      if (c == ':') {
        throw new InvalidSpiffeIdException(
            "trust domain must not contain a port: '" + name + "' in '" + abbreviate(full) + "'");
      }
      if (c == '@') {
        throw new InvalidSpiffeIdException(
            "trust domain must not contain userinfo: '" + name + "' in '" + abbreviate(full) + "'");
      }
      if (c == '%') {
        throw new InvalidSpiffeIdException(
            "trust domain must not be percent-encoded: '" + name + "' in '" + abbreviate(full) + "'");
      }
      throw new InvalidSpiffeIdException(
          "trust domain has an invalid character '" + printable(c) + "' (allowed: a-z 0-9 . - _) in '"
              + abbreviate(full) + "'");
    }
  }

  static boolean isTrustDomainChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }

  static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }

  /** The bare name, e.g. {@code example.org}. */
  public String name() {
    return name;
  }

  /** The trust domain as a SPIFFE ID with an empty path: {@code spiffe://example.org}. */
  public String idString() {
    return SpiffeId.SCHEME_PREFIX + name;
  }

  /** A SPIFFE ID in this trust domain; each argument is one path segment. */
  public SpiffeId newSpiffeId(String... segments) {
    return SpiffeId.of(this, segments);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrustDomain other && other.name.equals(name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name);
  }

  @Override
  public int compareTo(TrustDomain o) {
    return name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return name;
  }
}
