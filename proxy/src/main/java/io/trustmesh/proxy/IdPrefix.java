package io.trustmesh.proxy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import java.util.List;

/**
 * An allow rule by SPIFFE ID prefix, matched on whole path segments inside one trust domain:
 * {@code spiffe://example.org/ns/prod} admits {@code spiffe://example.org/ns/prod} and
 * {@code spiffe://example.org/ns/prod/sa/web}, never {@code spiffe://example.org/ns/production/sa/x};
 * {@code spiffe://example.org} admits every ID of {@code example.org}, never one of
 * {@code example.org.evil.com}. A string prefix would admit both (issue 9, item 7).
 *
 * <pre>{@code
 * IdPrefix.parse("spiffe://example.org/ns/prod/").matches(SpiffeId.parse("spiffe://example.org/ns/prod/sa/web")); // true
 * }</pre>
 */
record IdPrefix(SpiffeId base, String written) {
  /**
   * Parses a prefix written as a SPIFFE ID, with or without one trailing slash.
   *
   * @throws BadInputException naming the value when it is not a SPIFFE ID (a partial segment such
   *     as {@code spiffe://example.org/ns/pro} is a valid ID and matches only the segment {@code pro})
   */
  static IdPrefix parse(String raw) {
    if (raw == null || !raw.startsWith("spiffe://")) {
      throw new BadInputException("allow-id-prefix must start with spiffe://: " + raw);
    }
    String id = raw.endsWith("/") && raw.length() > "spiffe://".length() + 1 ? raw.substring(0, raw.length() - 1) : raw;
    try {
      return new IdPrefix(SpiffeId.parse(id), raw);
    } catch (BadInputException e) {
      throw new BadInputException("allow-id-prefix is not a SPIFFE ID (segments are matched whole): " + raw
          + " (" + e.getMessage() + ")");
    }
  }

  /** True when {@code peer} is in the same trust domain and its path starts with every segment of the base. */
  boolean matches(SpiffeId peer) {
    if (!peer.trustDomain().equals(base.trustDomain())) {
      return false;
    }
    List<String> want = base.segments();
    List<String> got = peer.segments();
    return got.size() >= want.size() && got.subList(0, want.size()).equals(want);
  }

  /** As the operator wrote it, so log lines match the configuration. */
  @Override
  public String toString() {
    return written;
  }
}
