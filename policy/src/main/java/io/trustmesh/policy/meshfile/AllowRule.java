package io.trustmesh.policy.meshfile;

import io.trustmesh.core.spiffe.SpiffeId;

/**
 * One entry of a service's {@code allow} list: an exact SPIFFE ID, a path prefix, or a whole trust
 * domain. A prefix matches whole path segments: {@code spiffe://td/ns/shop} admits
 * {@code spiffe://td/ns/shop} and {@code spiffe://td/ns/shop/sa/web}, never {@code spiffe://td/ns/shopping}.
 */
public record AllowRule(Kind kind, String value, int line) {
  /** How {@code value} is matched. */
  public enum Kind {
    SPIFFE_ID,
    PREFIX,
    TRUST_DOMAIN
  }

  /** Whether an authenticated peer with this SPIFFE ID is admitted by this rule. */
  public boolean admits(SpiffeId peer) {
    String id = peer.toString();
    return switch (kind) {
      case SPIFFE_ID -> id.equals(value);
      case PREFIX -> id.equals(prefix()) || id.startsWith(prefix() + "/");
      case TRUST_DOMAIN -> peer.trustDomain().name().equals(value);
    };
  }

  /** For {@link Kind#PREFIX}: the value without a trailing slash. */
  public String prefix() {
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }
}
