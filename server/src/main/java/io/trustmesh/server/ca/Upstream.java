package io.trustmesh.server.ca;

import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.TrustDomain;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Who signs the server's signing CA: the server itself ({@code self-signed}: each signing CA is its
 * own root and the bundle lists them) or an intermediate from {@code trustmesh ca} on disk (the
 * signing CA sits below it, path length 0, and the bundle holds the upstream's roots).
 */
public interface Upstream {
  /**
   * Mints a new signing CA valid for {@code ttl} (an upstream may clamp it to its own expiry), its
   * subject told apart from the others' by {@code label} (short, e.g. {@code ca-4fdd575f}).
   */
  IssuedCertificate mint(TrustDomain td, String label, Duration ttl, Clock clock);

  /** Roots to publish that do not rotate with the signing CA (empty for self-signed). */
  List<X509Certificate> fixedRoots();

  /** True when every signing CA is a root of its own (published in the bundle). */
  boolean rootsRotate();

  String describe();

  static Upstream selfSignedRoots() {
    return new Upstream() {
      @Override
      public IssuedCertificate mint(TrustDomain td, String label, Duration ttl, Clock clock) {
        return Issuance.root(td).commonName("trustmesh signing CA " + label).ttl(ttl).clock(clock).selfSigned();
      }

      @Override
      public List<X509Certificate> fixedRoots() {
        return List.of();
      }

      @Override
      public boolean rootsRotate() {
        return true;
      }

      @Override
      public String describe() {
        return "self-signed";
      }
    };
  }

  /**
   * An intermediate on disk.
   *
   * @param roots the trust anchors to publish: the bundle file's, else the self-signed
   *     certificate at the end of the upstream chain, else the upstream certificate itself
   */
  static Upstream disk(CertificateAuthority upstream, List<X509Certificate> upstreamChain,
      Optional<List<X509Certificate>> roots) {
    List<X509Certificate> anchors = roots.orElseGet(() -> {
      X509Certificate last = upstreamChain.get(upstreamChain.size() - 1);
      return List.of(last.getSubjectX500Principal().equals(last.getIssuerX500Principal()) ? last
          : upstreamChain.get(0));
    });
    return new Upstream() {
      @Override
      public IssuedCertificate mint(TrustDomain td, String label, Duration ttl, Clock clock) {
        return Issuance.intermediate("server " + label, td).pathLen(0).ttl(ttl).clock(clock).signedBy(upstream);
      }

      @Override
      public List<X509Certificate> fixedRoots() {
        return anchors;
      }

      @Override
      public boolean rootsRotate() {
        return false;
      }

      @Override
      public String describe() {
        return "disk (" + upstream.certificate().getSubjectX500Principal().getName() + ")";
      }
    };
  }
}
