package io.trustmesh.server.ca;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.pem.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust anchors a disk upstream's bundle publishes: always roots, never the intermediate itself.
 * A bundle anchored at an intermediate makes every SVID below it fail in openssl, curl, nginx or
 * HAProxy ("unable to get issuer certificate"), since none of them treats a non-self-signed
 * certificate as an anchor.
 *
 * <p>In order: the {@code --upstream-bundle} file (the upstream chain must lead to one of its
 * certificates); the self-signed certificate at the end of the upstream chain; the {@code root.pem}
 * of the {@code trustmesh ca init} layout ({@code DIR/intermediates/NAME/ca.pem} → {@code DIR/root.pem})
 * when it signed the top of the chain. Otherwise the start is refused with one line.
 */
public final class UpstreamRoots {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamRoots.class);

  private UpstreamRoots() {}

  public static List<X509Certificate> find(Path upstreamCert, List<X509Certificate> chain, Optional<Path> bundle) {
    X509Certificate top = chain.get(chain.size() - 1);
    if (bundle.isPresent()) {
      List<X509Certificate> roots = Pem.readCertificates(bundle.get());
      if (roots.stream().noneMatch(r -> r.equals(top) || signedBy(top, r))) {
        throw new BadInputException("upstream " + upstreamCert + " does not chain to any certificate in --upstream-bundle "
            + bundle.get() + " (its chain ends at '" + top.getSubjectX500Principal().getName() + "', issued by '"
            + top.getIssuerX500Principal().getName() + "')");
      }
      return roots;
    }
    if (selfSigned(top)) {
      return List.of(top);
    }
    Optional<Path> layoutRoot = caDirectoryRoot(upstreamCert);
    if (layoutRoot.isPresent()) {
      X509Certificate root = Pem.readCertificates(layoutRoot.get()).get(0);
      if (selfSigned(root) && signedBy(top, root)) {
        LOG.info("publishing the root {} ({}) as the trust anchor of upstream {}", layoutRoot.get(),
            root.getSubjectX500Principal().getName(), upstreamCert);
        return List.of(root);
      }
    }
    throw new BadInputException("cannot find the root of upstream " + upstreamCert + ": its chain ends at '"
        + top.getSubjectX500Principal().getName() + "', issued by '" + top.getIssuerX500Principal().getName()
        + "', which is neither in the file nor the root.pem of its CA directory; pass --upstream-bundle ROOTS.pem");
  }

  /** {@code DIR/root.pem} when {@code cert} is {@code DIR/intermediates/NAME/ca.pem} and it exists. */
  private static Optional<Path> caDirectoryRoot(Path cert) {
    Path nameDir = cert.toAbsolutePath().normalize().getParent();
    Path intermediates = nameDir == null ? null : nameDir.getParent();
    if (intermediates == null || intermediates.getFileName() == null
        || !intermediates.getFileName().toString().equals("intermediates") || intermediates.getParent() == null) {
      return Optional.empty();
    }
    Path root = intermediates.getParent().resolve("root.pem");
    return Files.isRegularFile(root) ? Optional.of(root) : Optional.empty();
  }

  private static boolean selfSigned(X509Certificate c) {
    return c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && signedBy(c, c);
  }

  private static boolean signedBy(X509Certificate child, X509Certificate issuer) {
    if (!child.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      child.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
