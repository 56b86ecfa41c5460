package io.trustmesh.core.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The SPIFFE ID specification (§2), one case per rule. */
class SpiffeIdTest {

  static Stream<Arguments> validSpiffeIds() {
    return Stream.of(
        Arguments.of("spiffe://example.org", "an ID with an empty path names the trust domain (§2.2)"),
        Arguments.of("spiffe://example.org/ns/prod/sa/web", "a path of several segments (§2.2)"),
        Arguments.of("spiffe://example.org/A-Z_a.z-0.9", "path segments allow letters, digits, . - _ (§2.2)"),
        Arguments.of("spiffe://my-domain_1.example", "trust domains allow a-z 0-9 . - _ (§2.1)"),
        Arguments.of("spiffe://1.2.3.4/x", "an IP-like trust domain is just characters (§2.1)"),
        Arguments.of("spiffe://example.org/...", "'...' is a valid segment, only '.' and '..' are not (§2.2)"),
        Arguments.of("spiffe://example.org/.a", "a segment may start with a dot (§2.2)"),
        Arguments.of("spiffe://td/" + "a".repeat(2000), "a long path within the 2048-byte limit (§2.3)"));
  }

  static Stream<Arguments> invalidSpiffeIds() {
    return Stream.of(
        Arguments.of("", "empty", "the ID must not be empty"),
        Arguments.of("example.org/web", "must start with spiffe://", "the scheme is required (§2)"),
        Arguments.of("http://example.org/web", "must start with spiffe://", "only the spiffe scheme (§2)"),
        Arguments.of("SPIFFE://example.org/web", "scheme must be lowercase", "the scheme is lowercase (§2)"),
        Arguments.of("spiffe:/example.org/web", "must start with spiffe://", "the authority needs '//' (§2)"),
        Arguments.of("spiffe://", "trust domain is missing", "the trust domain is required (§2.1)"),
        Arguments.of("spiffe:///web", "trust domain is missing", "an empty trust domain with a path (§2.1)"),
        Arguments.of("spiffe://Example.org/web", "must be lowercase", "trust domains are lowercase (§2.1)"),
        Arguments.of("spiffe://example.org:8080/web", "must not contain a port", "no port (§2.1)"),
        Arguments.of("spiffe://user@example.org/web", "must not contain userinfo", "no userinfo (§2.1)"),
        Arguments.of("spiffe://user:pw@example.org/web", "must not contain", "no userinfo with password (§2.1)"),
        Arguments.of("spiffe://exa%20mple.org/web", "percent-encoded", "no percent-encoding in the trust domain (§2.1)"),
        Arguments.of("spiffe://exa mple.org/web", "invalid character ' '", "no spaces in the trust domain (§2.1)"),
        Arguments.of("spiffe://exämple.org/web", "invalid character", "only ASCII in the trust domain (§2.1)"),
        Arguments.of("spiffe://example.org/", "must not end with '/'", "no trailing slash (§2.2)"),
        Arguments.of("spiffe://example.org/web/", "must not end with '/'", "no trailing slash after a segment (§2.2)"),
        Arguments.of("spiffe://example.org//web", "empty segment", "no empty segment (§2.2)"),
        Arguments.of("spiffe://example.org/a//b", "empty segment", "no empty segment in the middle (§2.2)"),
        Arguments.of("spiffe://example.org/./web", "segment '.' is not allowed", "no '.' segment (§2.2)"),
        Arguments.of("spiffe://example.org/web/..", "segment '..' is not allowed", "no '..' segment (§2.2)"),
        Arguments.of("spiffe://example.org/a/../b", "segment '..' is not allowed", "no path traversal (§2.2)"),
        Arguments.of("spiffe://example.org/we b", "invalid character ' '", "no spaces in the path (§2.2)"),
        Arguments.of("spiffe://example.org/web%41", "invalid character '%'", "no percent-encoding in the path (§2.2)"),
        Arguments.of("spiffe://example.org/we:b", "invalid character ':'", "no colon in the path (§2.2)"),
        Arguments.of("spiffe://example.org/w*b", "invalid character '*'", "no wildcard in the path (§2.2)"),
        Arguments.of("spiffe://example.org/wéb", "invalid character", "only ASCII in the path (§2.2)"),
        Arguments.of("spiffe://example.org/web?x=1", "must not have a query", "no query (§2.3)"),
        Arguments.of("spiffe://example.org/web#frag", "must not have a fragment", "no fragment (§2.3)"),
        Arguments.of("spiffe://example.org?x", "must not have a query", "no query on a bare trust domain (§2.3)"),
        Arguments.of("spiffe://" + "a".repeat(256), "longer than 255", "trust domain at most 255 characters (§2.1)"),
        Arguments.of("spiffe://td/" + "a".repeat(2040), "longer than 2048", "an ID of at most 2048 bytes (§2.3)"),
        Arguments.of("spiffe://example.org/tab\there", "invalid character '\\u0009'", "no control characters (§2.2)"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("validSpiffeIds")
  void acceptsValidIds(String raw, String rule) {
    SpiffeId id = SpiffeId.parse(raw);
    assertThat(id.toString()).as(rule).isEqualTo(raw);
  }

  @ParameterizedTest(name = "{2}: {0}")
  @MethodSource("invalidSpiffeIds")
  void refusesInvalidIdsNamingTheRule(String raw, String message, String rule) {
    assertThatThrownBy(() -> SpiffeId.parse(raw))
        .as(rule)
        .isInstanceOf(InvalidSpiffeIdException.class)
        .hasMessageContaining(message);
  }

  @Test
  void splitsTrustDomainAndPath() {
    SpiffeId id = SpiffeId.parse("spiffe://example.org/ns/prod/sa/web");
    assertThat(id.trustDomain()).isEqualTo(TrustDomain.parse("example.org"));
    assertThat(id.path()).isEqualTo("/ns/prod/sa/web");
    assertThat(id.segments()).containsExactly("ns", "prod", "sa", "web");
    assertThat(id.memberOf(TrustDomain.parse("example.org"))).isTrue();
    assertThat(id.memberOf(TrustDomain.parse("example.com"))).isFalse();
  }

  @Test
  void buildsIdsFromSegmentsAndValidatesEach() {
    TrustDomain td = TrustDomain.parse("example.org");
    assertThat(td.newSpiffeId("ns", "prod", "sa", "web").toString()).isEqualTo("spiffe://example.org/ns/prod/sa/web");
    assertThatThrownBy(() -> td.newSpiffeId("ns", "..")).hasMessageContaining("segment '..' is not allowed");
    assertThatThrownBy(() -> td.newSpiffeId("a/b")).hasMessageContaining("invalid character '/'");
    assertThatThrownBy(() -> td.newSpiffeId("")).hasMessageContaining("empty segment");
  }

  @Test
  void trustDomainAcceptsBareNameOrIdWithoutPath() {
    assertThat(TrustDomain.parse("example.org").idString()).isEqualTo("spiffe://example.org");
    assertThat(TrustDomain.parse("spiffe://example.org")).isEqualTo(TrustDomain.parse("example.org"));
    assertThatThrownBy(() -> TrustDomain.parse("spiffe://example.org/web"))
        .hasMessageContaining("trust domain must not have a path");
    assertThatThrownBy(() -> TrustDomain.parse("Example.org")).hasMessageContaining("must be lowercase");
    assertThatThrownBy(() -> TrustDomain.parse("")).hasMessageContaining("empty");
  }

  @Test
  void equalityIsByValue() {
    assertThat(SpiffeId.parse("spiffe://a/b")).isEqualTo(SpiffeId.parse("spiffe://a/b"))
        .hasSameHashCodeAs(SpiffeId.parse("spiffe://a/b"))
        .isNotEqualTo(SpiffeId.parse("spiffe://a/B"));
  }
}
