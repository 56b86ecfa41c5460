package io.trustmesh.core.spiffe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A SPIFFE ID, {@code spiffe://trust-domain/path}, validated exactly per the SPIFFE ID
 * specification:
 *
 * <ul>
 *   <li>the scheme is {@code spiffe} in lowercase, followed by {@code ://};
 *   <li>the trust domain is lowercase {@code [a-z0-9.-_]}, with no port, userinfo or
 *       percent-encoding (§2.1);
 *   <li>the path is optional; each segment is {@code [A-Za-z0-9.-_]}, never empty, {@code .} or
 *       {@code ..}, and there is no trailing slash (§2.2);
 *   <li>no query and no fragment (§2.3); at most 2048 bytes in total.
 * </ul>
 *
 * <pre>{@code
 * SpiffeId id = SpiffeId.parse("spiffe://example.org/ns/prod/sa/web");
 * id.trustDomain();                    // example.org
 * id.memberOf(TrustDomain.parse("example.org"));  // true
 * }</pre>
 */
public final class SpiffeId implements Comparable<SpiffeId> {
  /** The longest SPIFFE ID we accept, in bytes (SPIFFE ID spec §2.3, URI SAN limit). */
  public static final int MAX_LENGTH = 2048;

  static final String SCHEME_PREFIX = "spiffe://";

  private final TrustDomain trustDomain;
  private final String path;

  private SpiffeId(TrustDomain trustDomain, String path) {
    this.trustDomain = trustDomain;
    this.path = path;
  }

  /**
   * Parses and validates a SPIFFE ID.
   *
   * @throws InvalidSpiffeIdException naming the rule {@code raw} breaks
   */
  public static SpiffeId parse(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new InvalidSpiffeIdException("SPIFFE ID is empty");
    }
    if (raw.length() > MAX_LENGTH) {
      throw new InvalidSpiffeIdException(
          "SPIFFE ID is longer than " + MAX_LENGTH + " bytes: '" + TrustDomain.abbreviate(raw) + "'");
    }
    if (!raw.startsWith(SCHEME_PREFIX)) {
      int colon = raw.indexOf("://");
      if (colon > 0 && raw.substring(0, colon).equalsIgnoreCase("spiffe")) {
        throw new InvalidSpiffeIdException("scheme must be lowercase 'spiffe': '" + raw + "'");
      }
      throw new InvalidSpiffeIdException(
          "SPIFFE ID must start with spiffe://: '" + TrustDomain.abbreviate(raw) + "'");
    }
    String rest = raw.substring(SCHEME_PREFIX.length());
    int q = rest.indexOf('?');
    if (q >= 0) {
      throw new InvalidSpiffeIdException("SPIFFE ID must not have a query: '" + raw + "'");
    }
    int f = rest.indexOf('#');
    if (f >= 0) {
      throw new InvalidSpiffeIdException("SPIFFE ID must not have a fragment: '" + raw + "'");
    }
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    TrustDomain.validateName(td, raw);
    validatePath(path, raw);
    return new SpiffeId(TrustDomain.parse(td), path);
  }

  /** Builds an ID from a trust domain and path segments, validating every segment. */
  public static SpiffeId of(TrustDomain trustDomain, String... segments) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    StringBuilder path = new StringBuilder();
    for (String segment : segments) {
      path.append('/').append(segment);
    }
    String full = trustDomain.idString() + path;
    for (String segment : segments) {
      if (segment.isEmpty()) {
        throw new InvalidSpiffeIdException("path must not contain an empty segment in '" + full + "'");
      }
      if (segment.indexOf('/') >= 0) {
        throw new InvalidSpiffeIdException(
            "path segment '" + segment + "' has an invalid character '/' in '" + full + "'");
      }
    }
    validatePath(path.toString(), full);
    if (full.length() > MAX_LENGTH) {
      throw new InvalidSpiffeIdException(
          "SPIFFE ID is longer than " + MAX_LENGTH + " bytes: '" + TrustDomain.abbreviate(full) + "'");
    }
    return new SpiffeId(trustDomain, path.toString());
  }

  /**
   * Validates a path such as {@code /ns/prod}; the empty path is valid.
   *
   * @throws InvalidSpiffeIdException naming the rule {@code path} breaks
   */
  public static void validatePath(String path, String full) {
    if (path.isEmpty()) {
      return;
    }
    if (path.charAt(0) != '/') {
      throw new InvalidSpiffeIdException("path must start with '/': '" + full + "'");
    }
    int start = 1;
    while (true) {
      int end = path.indexOf('/', start);
      String segment = end < 0 ? path.substring(start) : path.substring(start, end);
      if (segment.isEmpty()) {
        throw new InvalidSpiffeIdException(
            end < 0
                ? "path must not end with '/': '" + full + "'"
                : "path must not contain an empty segment ('//'): '" + full + "'");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new InvalidSpiffeIdException(
            "path segment '" + segment + "' is not allowed in '" + full + "'");
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        if (!isPathChar(c)) {
          throw new InvalidSpiffeIdException(
              "path has an invalid character '" + TrustDomain.printable(c)
                  + "' (allowed: A-Z a-z 0-9 . - _) in '" + TrustDomain.abbreviate(full) + "'");
        }
      }
      if (end < 0) {
        return;
      }
      start = end + 1;
    }
  }

  private static boolean isPathChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '_';
  }

  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The path including its leading slash, or the empty string. */
  public String path() {
    return path;
  }

  /** The path split into segments; empty for an ID without a path. */
  public List<String> segments() {
    List<String> out = new ArrayList<>();
    if (!path.isEmpty()) {
      for (String s : path.substring(1).split("/", -1)) {
        out.add(s);
      }
    }
    return List.copyOf(out);
  }

  public boolean memberOf(TrustDomain td) {
    return trustDomain.equals(td);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpiffeId other
        && other.trustDomain.equals(trustDomain)
        && other.path.equals(path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(trustDomain, path);
  }

  @Override
  public int compareTo(SpiffeId o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return trustDomain.idString() + path;
  }
}
