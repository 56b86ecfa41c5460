package io.trustmesh.core.bundle;

import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The X.509 authorities trusted for one trust domain: the roots (and, during a CA rotation, both
 * the old and the new ones) against which that trust domain's SVIDs are validated.
 */
public record X509Bundle(TrustDomain trustDomain, List<X509Certificate> authorities) {
  public X509Bundle {
    authorities = List.copyOf(authorities);
  }

  /** Reads a PEM bundle file for a trust domain. */
  public static X509Bundle load(TrustDomain trustDomain, Path file) {
    return new X509Bundle(trustDomain, Pem.readCertificates(file));
  }
}
