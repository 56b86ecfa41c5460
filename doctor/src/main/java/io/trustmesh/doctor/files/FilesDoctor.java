package io.trustmesh.doctor.files;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.x509.CertificateDescription;
import io.trustmesh.core.x509.Extensions;
import io.trustmesh.doctor.ChainJudge;
import io.trustmesh.doctor.ChainJudge.Expectations;
import io.trustmesh.doctor.ChainJudge.Judgement;
import io.trustmesh.doctor.DoctorReport;
import io.trustmesh.doctor.Finding;
import io.trustmesh.doctor.Step;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code trustmesh doctor files}: what is wrong with a certificate, key and bundle on disk before
 * any TLS peer sees them. The key is checked against the certificate; the leaf against the
 * workload profile (serverAuth and clientAuth, CA:FALSE, keyUsage, one SPIFFE ID, RSA of 2048 bits
 * or more); and the chain is put to core's verifier in both roles, as a TLS peer holding the
 * bundle would, which also catches expiry, a missing intermediate, order and name constraints.
 */
public final class FilesDoctor {
  private final Clock clock;

  public FilesDoctor(Clock clock) {
    this.clock = clock;
  }

  public DoctorReport check(Path certFile, Optional<Path> keyFile, Optional<Path> bundleFile, Optional<SpiffeId> expectId) {
    Instant now = clock.instant();
    List<X509Certificate> chain = Pem.readCertificates(certFile);
    Optional<PrivateKey> key = keyFile.map(k -> Pem.readPrivateKey(k, Optional.empty()));
    Optional<List<X509Certificate>> bundle = bundleFile.map(Pem::readCertificates);
    List<Step> steps = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    X509Certificate leaf = chain.get(0);

    steps.add(Step.ok("read", chain.size() + " certificate(s) from " + certFile));
    if (key.isPresent()) {
      if (Pem.keysMatch(key.get(), leaf.getPublicKey())) {
        steps.add(Step.ok("key", "the key in " + keyFile.get() + " belongs to the certificate"));
      } else {
        add(findings, steps, "key", new Finding(Cause.KEY_MISMATCH, "the key in " + keyFile.get()
            + " does not belong to the certificate " + leaf.getSubjectX500Principal().getName() + " in " + certFile));
      }
    }
    int before = findings.size();
    profile(leaf, certFile, findings, now);
    steps.add(findings.size() == before ? Step.ok("profile", "the leaf fits the workload profile")
        : Step.failed("profile", findings.get(before).detail()));

    Optional<List<X509Certificate>> roots = bundle.or(() -> selfAnchored(chain));
    if (roots.isEmpty()) {
      steps.add(Step.ok("chain", "not verified: pass --bundle FILE (the roots your peers trust)"));
    } else {
      String against = bundle.isPresent() ? "the bundle" : "the file's own top certificate (no --bundle given)";
      Expectations expect = new Expectations(expectId, Optional.empty(), Optional.empty());
      for (Usage usage : Usage.values()) {
        Judgement j = ChainJudge.judge(chain, roots.get(), usage, expect, now);
        String role = usage == Usage.SERVER ? "as a server certificate" : "as a client certificate";
        if (j.healthy()) {
          steps.add(Step.ok("peer-" + usage.name().toLowerCase(), role + ", a peer holding " + against + " accepts it"));
        } else {
          steps.add(Step.failed("peer-" + usage.name().toLowerCase(), role + ", a peer holding " + against
              + " refuses it: " + j.findings().get(0).detail()));
          for (Finding f : j.findings()) {
            if (findings.stream().noneMatch(x -> x.cause() == f.cause())) {
              findings.add(f);
            }
          }
        }
      }
    }
    return new DoctorReport("files", certFile.toString(), steps, chain, findings, now);
  }

  /** The workload profile rules that hold whatever the bundle. */
  private static void profile(X509Certificate leaf, Path file, List<Finding> findings, Instant now) {
    CertificateDescription d = CertificateDescription.of(leaf, now);
    if (d.expired()) {
      findings.add(new Finding(Cause.PEER_CERT_EXPIRED, "the leaf expired at " + d.notAfter() + " (now " + now + ")"));
    } else if (now.isBefore(d.notBefore())) {
      findings.add(new Finding(Cause.PEER_CERT_NOT_YET_VALID, "the leaf is not valid before " + d.notBefore() + " (now " + now + ")"));
    }
    if (d.ca()) {
      findings.add(new Finding(Cause.PEER_CERT_INVALID, "the leaf is a CA certificate (CA:TRUE); a workload certificate must be CA:FALSE"));
    }
    if (d.keyUsage().isEmpty()) {
      findings.add(new Finding(Cause.PEER_CERT_INVALID, "the leaf has no keyUsage extension; a workload needs digitalSignature"));
    }
    List<String> missing = new ArrayList<>();
    for (String eku : List.of("serverAuth", "clientAuth")) {
      if (!d.extendedKeyUsage().isEmpty() && !d.extendedKeyUsage().contains(eku)) {
        missing.add(eku);
      }
    }
    if (!missing.isEmpty()) {
      findings.add(new Finding(Cause.PEER_WRONG_USAGE, "the leaf's extendedKeyUsage is " + d.extendedKeyUsage()
          + ", without " + String.join(" and ", missing) + ": mutual TLS workloads act as both server and client"));
    }
    if (leaf.getPublicKey() instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
      findings.add(new Finding(Cause.PEER_CERT_INVALID, "the leaf's RSA key has " + rsa.getModulus().bitLength()
          + " bits; 2048 is the minimum peers accept"));
    }
    if (Extensions.uriSans(leaf).stream().anyMatch(u -> u.startsWith("spiffe://"))) {
      try {
        X509Svid.spiffeIdOf(leaf, file.toString());
      } catch (BadInputException e) {
        findings.add(new Finding(Cause.PEER_CERT_INVALID, "not a valid X.509-SVID: " + e.getMessage()));
      }
    }
  }

  /** Without a bundle, a file that carries its CA lets the chain be checked up to that CA. */
  private static Optional<List<X509Certificate>> selfAnchored(List<X509Certificate> chain) {
    X509Certificate top = chain.get(chain.size() - 1);
    return chain.size() > 1 && top.getBasicConstraints() >= 0 ? Optional.of(List.of(top)) : Optional.empty();
  }

  private static void add(List<Finding> findings, List<Step> steps, String step, Finding f) {
    findings.add(f);
    steps.add(Step.failed(step, f.detail()));
  }
}
