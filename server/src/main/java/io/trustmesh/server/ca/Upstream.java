package io.trustmesh.server.ca;

import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.TrustDomain;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

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
   * @param anchors the roots to publish (see {@link UpstreamRoots}): never the intermediate itself
   */
  static Upstream disk(CertificateAuthority upstream, List<X509Certificate> anchors) {
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
