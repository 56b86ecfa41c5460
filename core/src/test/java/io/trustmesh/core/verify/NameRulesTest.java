package io.trustmesh.core.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Peer-name matching (RFC 6125), name-constraint subtrees (RFC 5280 4.2.1.10), IP text (RFC 5952). */
class NameRulesTest {
  @ParameterizedTest(name = "{0} vs {1}: {2}")
  @CsvSource({
      "example.com, example.com, true",
      "Example.COM, example.com, true",
      "*.example.com, foo.example.com, true",
      "*.example.com, example.com, false",          // the wildcard needs a label
      "*.example.com, a.b.example.com, false",      // exactly one label
      "f*.example.com, foo.example.com, false",     // partial wildcards are not honoured
      "*.com, example.com, false",                  // public suffix
      "*, example, false",
      "example.com, foo_bar.example.com, false"})
  void dnsPatterns(String pattern, String host, boolean matches) {
    assertThat(HostnameMatch.dns(pattern, host)).isEqualTo(matches);
  }

  @ParameterizedTest(name = "constraint {0}, name {1}, exclusion {2}: {3}")
  @CsvSource({
      "example.com, example.com, false, true",
      "example.com, foo.bar.example.com, false, true",
      "example.com, notexample.com, false, false",
      "foo.com, *.foo.com, false, true",            // every name the wildcard matches is permitted
      "bar.foo.com, *.foo.com, false, false",       // not every one is
      "bar.example.com, *.example.com, true, true", // an exclusion the wildcard could match (CVE-2025-61727)
      "x.bar.example.com, *.example.com, true, false"})
  void dnsSubtrees(String constraint, String name, boolean exclusion, boolean within) {
    assertThat(NameConstraintsCheck.dns(constraint, name, exclusion)).isEqualTo(within);
  }

  @ParameterizedTest(name = "{0} within {1}: {2}")
  @CsvSource({
      "example.com, foo@example.com, true",
      "foo@example.com, foo@example.com, true",
      "foo@example.com, Foo@example.com, false",    // local parts are case-sensitive
      "*@example.com, user@example.com, false",     // asterisks are literal
      ".example.com, foo@mail.example.com, true",
      ".example.com, foo@example.com, false"})
  void emailSubtrees(String constraint, String address, boolean within) {
    assertThat(NameConstraintsCheck.email(constraint, address)).isEqualTo(within);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
      "0:0:0:0:0:0:0:1, ::1"})
  void ipv6CanonicalText(String in, String canonical) throws Exception {
    byte[] raw = java.net.InetAddress.getByName(in).getAddress();
    assertThat(CertificateChecks.canonicalIp(raw)).isEqualTo(canonical);
  }
}
