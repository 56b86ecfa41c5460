package io.trustmesh.core.verify;

import static io.trustmesh.core.verify.X509Verifier.subject;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Depth-first path building from the leaf towards a trust anchor, over every candidate issuer (by
 * subject/issuer name and AKI/SKI), so that cross-signed and re-keyed CAs and several roots work:
 * the first path that validates wins. Work is bounded by {@link X509Verifier#MAX_SIGNATURE_CHECKS}
 * signature checks, {@link #MAX_CANDIDATES} candidates per step and {@link #HARD_MAX_INTERMEDIATES}
 * certificates, whatever the peer sends. When nothing validates, the failure reported is the one
 * from the path that got furthest.
 */
final class PathBuilder {
  /** Issuer candidates considered at each step. */
  static final int MAX_CANDIDATES = 32;
  /** Intermediates in any path, self-issued ones included. */
  static final int HARD_MAX_INTERMEDIATES = 16;

  private final VerifyOptions options;
  private final List<X509Certificate> anchors;
  private final Instant at;
  private final Map<X509Certificate, Verification> caVerdicts = new IdentityHashMap<>();
  private final Map<X509Certificate, Verification> anchorVerdicts = new IdentityHashMap<>();
  private int signatureChecks;
  private Verification best;
  private int bestScore = -1;

  PathBuilder(VerifyOptions options, List<X509Certificate> anchors, Instant at) {
    this.options = options;
    this.anchors = anchors;
    this.at = at;
  }

  Verification build(X509Certificate leaf) {
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    Verification v = extend(path);
    if (v != null) {
      return v;
    }
    return best != null ? best : Verification.invalid(Failure.UNKNOWN_AUTHORITY,
        "certificate signed by unknown authority " + leaf.getIssuerX500Principal().getName());
  }

  private Verification extend(List<X509Certificate> path) {
    X509Certificate tip = path.get(path.size() - 1);
    List<X509Certificate> candidates = new ArrayList<>();
    for (X509Certificate a : anchors) {
      if (X509Verifier.issuedBy(tip, a)) {
        candidates.add(a);
      }
    }
    int anchorCount = candidates.size();
    for (X509Certificate c : options.intermediates) {
      if (X509Verifier.issuedBy(tip, c) && !X509Verifier.contains(candidates, c)) {
        candidates.add(c);
      }
    }
    if (candidates.isEmpty()) {
      record(Verification.invalid(Failure.UNKNOWN_AUTHORITY, "certificate signed by unknown authority "
          + tip.getIssuerX500Principal().getName() + " (" + role(path) + " " + subject(tip) + ")"), path.size());
      return null;
    }
    int tried = 0;
    for (int i = 0; i < candidates.size(); i++) {
      X509Certificate issuer = candidates.get(i);
      boolean anchor = i < anchorCount;
      if (!anchor && inPath(path, issuer)) {
        continue; // a loop of cross-signatures
      }
      if (++tried > MAX_CANDIDATES) {
        record(Verification.invalid(Failure.WORK_LIMIT, "gave up building the chain: more than "
            + MAX_CANDIDATES + " candidate issuers for " + subject(tip)), Integer.MAX_VALUE - 1);
        return null;
      }
      if (!anchor) {
        int logical = logicalIntermediates(path) + (X509Verifier.selfIssued(issuer) ? 0 : 1);
        if (logical > options.maxDepth || path.size() > HARD_MAX_INTERMEDIATES) {
          record(Verification.invalid(Failure.CHAIN_TOO_LONG, "chain is longer than " + options.maxDepth
              + " intermediate" + (options.maxDepth == 1 ? "" : "s") + " (at " + subject(issuer) + ")"),
              path.size() + 1);
          continue;
        }
      }
      Map<X509Certificate, Verification> verdicts = anchor ? anchorVerdicts : caVerdicts;
      Verification caProblem = verdicts.computeIfAbsent(issuer,
          c -> orValid(PathValidator.checkCa(c, anchor, options)));
      if (!caProblem.isValid()) {
        record(caProblem, path.size() + (anchor ? 50 : 1));
        continue;
      }
      if (signatureChecks++ >= X509Verifier.MAX_SIGNATURE_CHECKS) {
        record(Verification.invalid(Failure.WORK_LIMIT, "gave up building the chain after "
            + X509Verifier.MAX_SIGNATURE_CHECKS + " signature checks"), Integer.MAX_VALUE);
        return null;
      }
      if (!X509Verifier.signedBy(tip, issuer.getPublicKey())) {
        record(Verification.invalid(Failure.BAD_SIGNATURE, "signature of " + subject(tip)
            + " does not verify with the key of " + subject(issuer)), path.size());
        continue;
      }
      List<X509Certificate> next = new ArrayList<>(path);
      next.add(issuer);
      if (anchor) {
        Verification v = PathValidator.validate(next, options, at);
        if (v.isValid()) {
          return v;
        }
        record(v, next.size() + 100);
      } else {
        Verification v = extend(next);
        if (v != null) {
          return v;
        }
      }
      if (bestScore >= Integer.MAX_VALUE - 1) {
        return null; // out of budget
      }
    }
    return null;
  }

  private static Verification orValid(Verification v) {
    return v != null ? v : Verification.valid(List.of(), java.util.Optional.empty());
  }

  private static String role(List<X509Certificate> path) {
    return path.size() == 1 ? "certificate" : "intermediate";
  }

  /** Same certificate, or same subject and key (a cross-signed twin): following it loops. */
  private static boolean inPath(List<X509Certificate> path, X509Certificate c) {
    for (X509Certificate x : path) {
      if (x.equals(c) || (x.getSubjectX500Principal().equals(c.getSubjectX500Principal())
          && x.getPublicKey().equals(c.getPublicKey()))) {
        return true;
      }
    }
    return false;
  }

  private static int logicalIntermediates(List<X509Certificate> path) {
    int n = 0;
    for (int i = 1; i < path.size(); i++) {
      if (!X509Verifier.selfIssued(path.get(i))) {
        n++;
      }
    }
    return n;
  }

  private void record(Verification v, int score) {
    if (score > bestScore) {
      best = v;
      bestScore = score;
    }
  }
}
