package io.trustmesh.core.verify;

import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.net.InetAddress;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What to verify a chain against. Two profiles:
 *
 * <ul>
 *   <li>{@link #spiffe(X509BundleSet)}: the X.509-SVID rules; the chain is validated against the
 *       bundle of the leaf's own trust domain, then the SPIFFE ID is checked against what is
 *       expected.
 *   <li>{@link #x509(List)}: plain RFC 5280 path validation against the given trust anchors, with
 *       optional DNS or IP peer name, for web PKI chains and conformance suites.
 * </ul>
 *
 * Verification is always at a definite instant, by default now.
 */
public final class VerifyOptions {
  /** Default bound on intermediates between leaf and anchor (a denial-of-service guard). */
  public static final int DEFAULT_MAX_DEPTH = 8;

  final X509BundleSet bundles;
  final List<X509Certificate> anchors;
  List<X509Certificate> intermediates = List.of();
  Instant at;
  Usage usage;
  Optional<String> dnsName = Optional.empty();
  Optional<InetAddress> ipAddress = Optional.empty();
  Optional<SpiffeId> expectedId = Optional.empty();
  Optional<TrustDomain> expectedTrustDomain = Optional.empty();
  int maxDepth = DEFAULT_MAX_DEPTH;
  List<X509CRL> crls = List.of();

  private VerifyOptions(X509BundleSet bundles, List<X509Certificate> anchors) {
    this.bundles = bundles;
    this.anchors = anchors == null ? null : List.copyOf(anchors);
  }

  /** SPIFFE profile: anchors come from the bundle of the leaf's trust domain. */
  public static VerifyOptions spiffe(X509BundleSet bundles) {
    return new VerifyOptions(bundles, null);
  }

  /** Plain X.509 profile against fixed trust anchors. */
  public static VerifyOptions x509(List<X509Certificate> anchors) {
    return new VerifyOptions(null, anchors);
  }

  public boolean isSpiffe() {
    return bundles != null;
  }

  /** Untrusted certificates that may help build the path (sent by the peer). */
  public VerifyOptions intermediates(List<X509Certificate> intermediates) {
    this.intermediates = List.copyOf(intermediates);
    return this;
  }

  public VerifyOptions at(Instant at) {
    this.at = at;
    return this;
  }

  /** The role of the peer; its leaf must carry the matching EKU. Unset means no EKU check. */
  public VerifyOptions usage(Usage usage) {
    this.usage = usage;
    return this;
  }

  public VerifyOptions dnsName(String dnsName) {
    this.dnsName = Optional.ofNullable(dnsName);
    return this;
  }

  public VerifyOptions ipAddress(InetAddress ip) {
    this.ipAddress = Optional.ofNullable(ip);
    return this;
  }

  public VerifyOptions expectSpiffeId(SpiffeId id) {
    this.expectedId = Optional.ofNullable(id);
    return this;
  }

  public VerifyOptions expectTrustDomain(TrustDomain td) {
    this.expectedTrustDomain = Optional.ofNullable(td);
    return this;
  }

  public VerifyOptions maxDepth(int maxDepth) {
    this.maxDepth = maxDepth;
    return this;
  }

  public VerifyOptions crls(List<X509CRL> crls) {
    this.crls = new ArrayList<>(crls);
    return this;
  }
}
