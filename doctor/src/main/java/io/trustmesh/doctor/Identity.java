package io.trustmesh.doctor;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.svid.X509Svid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The client identity doctor presents: a certificate chain (leaf first) and its private key, with
 * the trust bundle that came with it when it was read from an SVID directory.
 */
public final class Identity {
  private final List<X509Certificate> chain;
  private final PrivateKey key;
  private final Optional<List<X509Certificate>> bundle;
  private final String source;

  private Identity(List<X509Certificate> chain, PrivateKey key, Optional<List<X509Certificate>> bundle, String source) {
    this.chain = List.copyOf(chain);
    this.key = key;
    this.bundle = bundle;
    this.source = source;
  }

  /** {@code --cert F --key F}: any X.509 certificate, SPIFFE or not. */
  public static Identity fromFiles(Path cert, Path key) {
    List<X509Certificate> chain = Pem.readCertificates(cert);
    PrivateKey k = Pem.readPrivateKey(key, Optional.empty());
    if (!Pem.keysMatch(k, chain.get(0).getPublicKey())) {
      throw new BadInputException("the key in " + key + " does not belong to the certificate in " + cert);
    }
    return new Identity(chain, k, Optional.empty(), cert.toString());
  }

  /** {@code --svid-dir DIR}: the agent's file sink (svid.pem, svid_key.pem, svid_bundle.pem). */
  public static Identity fromSvidDir(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException("--svid-dir " + dir + " is not a directory");
    }
    X509Svid svid = X509Svid.load(dir);
    Path bundleFile = dir.resolve(X509Svid.BUNDLE_FILE);
    Optional<List<X509Certificate>> bundle = Files.isRegularFile(bundleFile)
        ? Optional.of(Pem.readCertificates(bundleFile)) : Optional.empty();
    return new Identity(svid.chain(), svid.privateKey(), bundle, dir.toString());
  }

  /**
   * An SVID obtained elsewhere, e.g. by the CLI from the SPIFFE Workload API (doctor does not
   * depend on {@code api}), with the bundle that came with it.
   *
   * @param source where it came from, for the report (e.g. {@code unix:///run/trustmesh/agent.sock})
   */
  public static Identity fromSvid(X509Svid svid, List<X509Certificate> bundle, String source) {
    return new Identity(svid.chain(), svid.privateKey(),
        bundle.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(bundle)), source);
  }

  public List<X509Certificate> chain() {
    return chain;
  }

  public PrivateKey key() {
    return key;
  }

  /** The bundle delivered with the identity (svid_bundle.pem), if any. */
  public Optional<List<X509Certificate>> bundle() {
    return bundle;
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "Identity[" + source + ", privateKey=****]";
  }
}
