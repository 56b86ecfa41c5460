package io.trustmesh.core.verify;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.spiffe.TrustDomain;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The openssl-made hierarchy the chain tests start from: a root ({@code ROOT}) and below it one
 * intermediate with {@code pathlen:0} ({@code INTERMEDIATE}), plus the {@link OpensslPki} to issue
 * more. Made once per test class ({@code @BeforeAll} with a static {@code @TempDir}): key generation
 * by the openssl CLI is the slow part, and no test changes the two certificates.
 *
 * <pre>{@code
 * @TempDir static Path dir;
 * static OpensslHierarchy pki;
 * @BeforeAll static void hierarchy() throws IOException { pki = OpensslHierarchy.create(dir, "root-a", "int-a"); }
 * }</pre>
 */
final class OpensslHierarchy {
  final OpensslPki pki;
  final X509Certificate root;
  final X509Certificate intermediate;

  private OpensslHierarchy(OpensslPki pki, X509Certificate root, X509Certificate intermediate) {
    this.pki = pki;
    this.root = root;
    this.intermediate = intermediate;
  }

  /** Installs the crypto providers and makes the root {@code rootName} and the intermediate {@code intName} in {@code dir}. */
  static OpensslHierarchy create(Path dir, String rootName, String intName) throws IOException {
    CryptoProviders.install();
    OpensslPki pki = new OpensslPki(dir);
    X509Certificate root = pki.root(rootName, 365);
    X509Certificate intermediate = pki.issue(intName, rootName, OpensslPki.caExt(", pathlen:0"), 180);
    return new OpensslHierarchy(pki, root, intermediate);
  }

  /** Verifies {@code leaf} as an SVID of {@code td}, whose bundle is this root, with the given intermediates and usage. */
  Verification verifySvid(TrustDomain td, X509Certificate leaf, List<X509Certificate> intermediates, Usage usage) {
    return X509Verifier.verify(leaf, VerifyOptions.spiffe(X509BundleSet.of(new X509Bundle(td, List.of(root))))
        .intermediates(intermediates).usage(usage));
  }
}
