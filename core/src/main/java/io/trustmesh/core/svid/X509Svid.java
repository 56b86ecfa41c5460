package io.trustmesh.core.svid;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.io.AtomicFiles.Content;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.x509.Extensions;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An X.509-SVID: a SPIFFE ID, its certificate chain (leaf first, intermediates after, no root) and
 * the leaf's private key.
 *
 * <p>On disk it uses the spiffe-helper file names, so tools that already read those work as they
 * are: {@code svid.pem} (chain), {@code svid_key.pem} (PKCS#8, 0600), {@code svid_bundle.pem}
 * (trusted roots).
 */
public final class X509Svid {
  public static final String CERT_FILE = "svid.pem";
  public static final String KEY_FILE = "svid_key.pem";
  public static final String BUNDLE_FILE = "svid_bundle.pem";

  private final SpiffeId spiffeId;
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;

  private X509Svid(SpiffeId spiffeId, List<X509Certificate> chain, PrivateKey privateKey) {
    this.spiffeId = spiffeId;
    this.chain = List.copyOf(chain);
    this.privateKey = privateKey;
  }

  /**
   * Validates that the leaf carries exactly one SPIFFE ID and that the key belongs to it.
   *
   * @throws BadInputException naming what does not fit
   */
  public static X509Svid of(List<X509Certificate> chain, PrivateKey key, String source) {
    if (chain.isEmpty()) {
      throw new BadInputException("no certificate in " + source);
    }
    X509Certificate leaf = chain.get(0);
    SpiffeId id = spiffeIdOf(leaf, source);
    if (!Pem.keysMatch(key, leaf.getPublicKey())) {
      throw new BadInputException("the private key does not match the certificate in " + source);
    }
    return new X509Svid(id, chain, key);
  }

  /** The SPIFFE ID of a leaf: its one and only URI SAN, which must be a valid SPIFFE ID. */
  public static SpiffeId spiffeIdOf(X509Certificate leaf, String source) {
    List<String> uris = Extensions.uriSans(leaf);
    if (uris.size() != 1) {
      throw new BadInputException("an X.509-SVID has exactly one URI SAN; the certificate in " + source
          + " has " + uris.size());
    }
    return SpiffeId.parse(uris.get(0));
  }

  /** Loads {@code svid.pem} and {@code svid_key.pem} from a directory. */
  public static X509Svid load(Path dir) {
    Path cert = dir.resolve(CERT_FILE);
    List<X509Certificate> chain = Pem.readCertificates(cert);
    PrivateKey key = Pem.readPrivateKey(dir.resolve(KEY_FILE), Optional.empty());
    return of(chain, key, cert.toString());
  }

  /** Writes the SVID and the bundle into {@code dir}: all three files, or none. */
  public void write(Path dir, List<X509Certificate> bundle) {
    Map<Path, Content> files = new LinkedHashMap<>();
    files.put(dir.resolve(CERT_FILE), Content.open(Pem.encodeCertificates(chain)));
    files.put(dir.resolve(KEY_FILE), Content.secret(Pem.encodePrivateKey(privateKey, Optional.empty())));
    files.put(dir.resolve(BUNDLE_FILE), Content.open(Pem.encodeCertificates(bundle)));
    AtomicFiles.writeAll(files);
  }

  public SpiffeId spiffeId() {
    return spiffeId;
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public List<X509Certificate> chain() {
    return chain;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "X509Svid{" + spiffeId + ", serial=" + leaf().getSerialNumber().toString(16)
        + ", notAfter=" + leaf().getNotAfter().toInstant() + ", privateKey=****}";
  }
}
