package io.trustmesh.doctor;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.Durations;
import io.trustmesh.core.verify.Failure;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.verify.Verification;
import io.trustmesh.core.verify.VerifyOptions;
import io.trustmesh.core.verify.X509Verifier;
import io.trustmesh.core.x509.CertificateDescription;
import io.trustmesh.core.x509.Extensions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts a presented chain to core's {@link X509Verifier} and turns its one precise reason into
 * findings a person can act on: for an unknown authority, whether an intermediate is missing or
 * the root is another one (naming the roots the bundle holds); for validity, the dates and the
 * clock skew; and, because the verifier builds paths in any order, whether the chain was sent out
 * of order, which stricter TLS stacks refuse.
 */
public final class ChainJudge {
  /** What the peer should be. */
  public record Expectations(Optional<SpiffeId> id, Optional<TrustDomain> trustDomain, Optional<String> dnsName) {
    public static Expectations none() {
      return new Expectations(Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  /** The verifier's verdict and what doctor makes of it. */
  public record Judgement(Verification verification, List<Finding> findings) {
    public boolean healthy() {
      return findings.isEmpty();
    }
  }

  private ChainJudge() {}

  public static Judgement judge(List<X509Certificate> chain, List<X509Certificate> roots, Usage usage,
      Expectations expect, Instant now) {
    X509Certificate leaf = chain.get(0);
    Optional<TrustDomain> leafDomain = spiffeDomain(leaf);
    VerifyOptions options;
    if (leafDomain.isPresent() || expect.id().isPresent() || expect.trustDomain().isPresent()) {
      // The bundle is filed under the leaf's own trust domain, so the chain is validated first and a
      // trust domain other than the expected one is then named as such (authenticate, then authorize).
      TrustDomain td = leafDomain.or(() -> expect.trustDomain())
          .orElseGet(() -> expect.id().map(SpiffeId::trustDomain).orElseThrow());
      options = VerifyOptions.spiffe(X509BundleSet.of(new X509Bundle(td, roots)));
      expect.id().ifPresent(options::expectSpiffeId);
      expect.trustDomain().ifPresent(options::expectTrustDomain);
    } else {
      options = VerifyOptions.x509(roots);
    }
    options.intermediates(chain.subList(1, chain.size())).at(now).usage(usage);
    expect.dnsName().ifPresent(options::dnsName);
    Verification v = X509Verifier.verify(leaf, options);
    List<Finding> findings = new ArrayList<>();
    if (!v.isValid()) {
      findings.add(explain(v, chain, roots, now));
    }
    Optional<String> repeat = repeated(chain);
    repeat.ifPresent(r -> findings.add(new Finding(Cause.PEER_CHAIN_OUT_OF_ORDER, r + "; order sent: " + subjects(chain))));
    CertificateDescription.chainOrderProblem(chain).filter(p -> repeat.isEmpty()).ifPresent(problem -> {
      if (!missingIssuer(chain, roots)) {
        findings.add(new Finding(Cause.PEER_CHAIN_OUT_OF_ORDER, "the chain as sent: " + problem + "; order sent: "
            + subjects(chain)));
      }
    });
    return new Judgement(v, List.copyOf(findings));
  }

  /** A certificate sent twice (often the leaf, when the chain file already starts with it). */
  private static Optional<String> repeated(List<X509Certificate> chain) {
    for (int i = 0; i < chain.size(); i++) {
      for (int j = i + 1; j < chain.size(); j++) {
        if (chain.get(i).equals(chain.get(j))) {
          return Optional.of("certificate " + (j + 1) + " repeats certificate " + (i + 1) + " ("
              + chain.get(i).getSubjectX500Principal().getName() + "): the chain file given to the server probably"
              + " starts with the leaf already");
        }
      }
    }
    return Optional.empty();
  }

  private static Finding explain(Verification v, List<X509Certificate> chain, List<X509Certificate> roots, Instant now) {
    Failure failure = v.failure().orElseThrow();
    switch (failure) {
      case EXPIRED -> {
        X509Certificate c = firstOutOfDate(chain, now, true).orElse(chain.get(0));
        Instant notAfter = c.getNotAfter().toInstant();
        return new Finding(Cause.PEER_CERT_EXPIRED, v.reason() + "; it expired "
            + Durations.format(Duration.between(notAfter, now)) + " ago (not after " + notAfter
            + ", this host's clock says " + now + ")");
      }
      case NOT_YET_VALID -> {
        X509Certificate c = firstOutOfDate(chain, now, false).orElse(chain.get(0));
        Instant notBefore = c.getNotBefore().toInstant();
        return new Finding(Cause.PEER_CERT_NOT_YET_VALID, v.reason() + "; it becomes valid in "
            + Durations.format(Duration.between(now, notBefore)) + " (not before " + notBefore
            + ", this host's clock says " + now + "): if it was just issued, the issuer's clock is about that much ahead"
            + " of this host's (clock skew)");
      }
      case UNKNOWN_AUTHORITY, NO_BUNDLE -> {
        return unknownAuthority(v, chain, roots);
      }
      default -> {
        return new Finding(Cause.of(failure), v.reason());
      }
    }
  }

  private static Finding unknownAuthority(Verification v, List<X509Certificate> chain, List<X509Certificate> roots) {
    X509Certificate top = chain.get(chain.size() - 1);
    String held = "the bundle holds: " + (roots.isEmpty() ? "nothing" : subjects(roots));
    if (missingIssuer(chain, roots)) {
      return new Finding(Cause.PEER_CHAIN_INCOMPLETE, "the peer sent " + chain.size() + " certificate(s); the last, "
          + top.getSubjectX500Principal().getName() + ", was issued by " + top.getIssuerX500Principal().getName()
          + ", which the peer did not send and the bundle does not hold (" + held
          + "). If that issuer is an intermediate, the peer must send it; if it is a root, add it to the bundle");
    }
    for (X509Certificate root : roots) {
      if (root.getSubjectX500Principal().equals(top.getIssuerX500Principal()) && !root.equals(top)) {
        return new Finding(Cause.PEER_UNKNOWN_AUTHORITY, v.reason() + "; the bundle has a CA named "
            + root.getSubjectX500Principal().getName() + " but with another key: the peer's CA was re-created or rotated"
            + " and one side has the old root (" + held + ")");
      }
    }
    return new Finding(Cause.PEER_UNKNOWN_AUTHORITY, v.reason() + " (" + held + ")");
  }

  /**
   * True when the chain stops at a certificate that is not a root and whose issuer neither the
   * chain nor the bundle has by name: the classic missing intermediate.
   */
  static boolean missingIssuer(List<X509Certificate> chain, List<X509Certificate> roots) {
    X509Certificate top = chain.get(chain.size() - 1);
    if (top.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
      return false;
    }
    for (X509Certificate c : chain) {
      if (c.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
        return false;
      }
    }
    for (X509Certificate r : roots) {
      if (r.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
        return false;
      }
    }
    // A chain sent out of order may still hold the issuer of its last element earlier on.
    for (X509Certificate c : chain) {
      if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())
          && chain.stream().noneMatch(x -> x.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
          && roots.stream().noneMatch(r -> r.getSubjectX500Principal().equals(c.getIssuerX500Principal()))) {
        return true;
      }
    }
    return false;
  }

  private static Optional<X509Certificate> firstOutOfDate(List<X509Certificate> chain, Instant now, boolean expired) {
    for (X509Certificate c : chain) {
      if (expired ? now.isAfter(c.getNotAfter().toInstant()) : now.isBefore(c.getNotBefore().toInstant())) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  static Optional<TrustDomain> spiffeDomain(X509Certificate leaf) {
    return spiffeIdOf(leaf).map(SpiffeId::trustDomain);
  }

  /** The leaf's SPIFFE ID, if it has a well-formed one. */
  public static Optional<SpiffeId> spiffeIdOf(X509Certificate leaf) {
    for (String uri : Extensions.uriSans(leaf)) {
      if (uri.startsWith("spiffe://")) {
        try {
          return Optional.of(SpiffeId.parse(uri));
        } catch (BadInputException e) {
          return Optional.empty(); // the verifier names the malformed SAN
        }
      }
    }
    return Optional.empty();
  }

  static String subjects(List<X509Certificate> certs) {
    List<String> names = new ArrayList<>();
    certs.forEach(c -> names.add(c.getSubjectX500Principal().getName()));
    return String.join("; ", names);
  }
}
