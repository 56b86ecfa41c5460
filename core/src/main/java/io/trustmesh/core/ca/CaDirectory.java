package io.trustmesh.core.ca;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.io.AtomicFiles.Content;
import io.trustmesh.core.io.SecretFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.x509.Extensions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A CA hierarchy on disk, the layout {@code trustmesh ca} writes:
 *
 * <pre>
 * DIR/root.pem                         the self-signed root (keep it offline)
 * DIR/root_key.pem                     its key, 0600, optionally passphrase-encrypted
 * DIR/intermediates/NAME/ca.pem        an intermediate, constrained to its trust domains
 * DIR/intermediates/NAME/ca_key.pem    its key, 0600
 * </pre>
 */
public final class CaDirectory {
  public static final String DEFAULT_INTERMEDIATE = "default";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private final Path dir;

  private CaDirectory(Path dir) {
    this.dir = dir;
  }

  /** Opens an existing hierarchy; fails clearly when {@code dir} holds none. */
  public static CaDirectory open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException("CA directory not found: " + dir);
    }
    if (!Files.isRegularFile(dir.resolve("root.pem"))) {
      throw new BadInputException(dir + " is not a trustmesh CA directory (no root.pem); create one with"
          + " 'trustmesh ca init'");
    }
    return new CaDirectory(dir);
  }

  /**
   * Creates a root and the named intermediates in {@code dir}. Refuses to touch a directory that
   * already holds a root, so an existing CA is never overwritten.
   */
  public static CaDirectory init(Path dir, TrustDomain td, KeyType keyType, Duration rootTtl,
      List<String> intermediates, Duration intermediateTtl, Optional<char[]> passphrase, Clock clock) {
    return init(dir, td, keyType, rootTtl, intermediates, intermediateTtl, List.of(), passphrase, clock);
  }

  /** As above; the intermediates also permit the DNS name suffixes {@code permitDns} (and no other DNS name). */
  public static CaDirectory init(Path dir, TrustDomain td, KeyType keyType, Duration rootTtl,
      List<String> intermediates, Duration intermediateTtl, List<String> permitDns, Optional<char[]> passphrase,
      Clock clock) {
    if (Files.exists(dir.resolve("root.pem")) || Files.exists(dir.resolve("root_key.pem"))) {
      throw new BadInputException(dir + " already holds a CA (root.pem); refusing to overwrite it");
    }
    for (String name : intermediates) {
      validateName(name);
    }
    IssuedCertificate root = Issuance.root(td).keyType(keyType).ttl(rootTtl).clock(clock).selfSigned();
    CertificateAuthority rootCa = CertificateAuthority.of(
        List.of(root.certificate()), root.keyPair().orElseThrow().getPrivate());
    Map<Path, Content> files = new LinkedHashMap<>();
    files.put(dir.resolve("root.pem"), Content.open(Pem.encodeCertificates(List.of(root.certificate()))));
    files.put(dir.resolve("root_key.pem"),
        Content.secret(Pem.encodePrivateKey(root.keyPair().orElseThrow().getPrivate(), passphrase)));
    for (String name : intermediates) {
      IssuedCertificate inter = Issuance.intermediate(name, td).keyType(keyType).ttl(intermediateTtl)
          .permitDns(permitDns).clock(clock).signedBy(rootCa);
      files.putAll(intermediateFiles(dir, name, inter));
    }
    AtomicFiles.writeAll(files);
    return new CaDirectory(dir);
  }

  /** Creates (or replaces) an intermediate signed by the root. */
  public IssuedCertificate addIntermediate(String name, List<TrustDomain> trustDomains, Duration ttl,
      int pathLen, Optional<char[]> passphrase, Clock clock) {
    return addIntermediate(name, trustDomains, ttl, pathLen, List.of(), passphrase, clock);
  }

  /** As above; the intermediate also permits the DNS name suffixes {@code permitDns} (and no other DNS name). */
  public IssuedCertificate addIntermediate(String name, List<TrustDomain> trustDomains, Duration ttl,
      int pathLen, List<String> permitDns, Optional<char[]> passphrase, Clock clock) {
    validateName(name);
    CertificateAuthority rootCa = root(passphrase);
    List<TrustDomain> tds = trustDomains.isEmpty() ? rootCa.trustDomains() : trustDomains;
    IssuedCertificate inter = Issuance.intermediate(name, tds).keyType(rootCa.keyType()).ttl(ttl)
        .pathLen(pathLen).permitDns(permitDns).clock(clock).signedBy(rootCa);
    AtomicFiles.writeAll(intermediateFiles(dir, name, inter));
    return inter;
  }

  private static Map<Path, Content> intermediateFiles(Path dir, String name, IssuedCertificate inter) {
    Path idir = dir.resolve("intermediates").resolve(name);
    Map<Path, Content> files = new LinkedHashMap<>();
    files.put(idir.resolve("ca.pem"), Content.open(Pem.encodeCertificates(inter.chain())));
    files.put(idir.resolve("ca_key.pem"),
        Content.secret(Pem.encodePrivateKey(inter.keyPair().orElseThrow().getPrivate(), Optional.empty())));
    return files;
  }

  public Path path() {
    return dir;
  }

  public X509Certificate rootCertificate() {
    return Pem.readCertificates(dir.resolve("root.pem")).get(0);
  }

  /** The trust domain named in the root certificate. */
  public TrustDomain trustDomain() {
    List<TrustDomain> tds = Extensions.trustDomainsOf(rootCertificate());
    if (tds.isEmpty()) {
      throw new BadInputException(dir.resolve("root.pem") + " names no spiffe:// trust domain");
    }
    return tds.get(0);
  }

  /** The root as a signing authority (needs its key, and the passphrase if it is encrypted). */
  public CertificateAuthority root(Optional<char[]> passphrase) {
    SecretFiles.requireOwnerOnly(dir.resolve("root_key.pem"), "root key");
    return CertificateAuthority.of(List.of(rootCertificate()),
        Pem.readPrivateKey(dir.resolve("root_key.pem"), passphrase));
  }

  public List<String> intermediateNames() {
    Path idir = dir.resolve("intermediates");
    if (!Files.isDirectory(idir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(idir)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("ca.pem")))
          .map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An intermediate as a signing authority. Without a name, the only intermediate there is, or an
   * error listing the choices.
   */
  public CertificateAuthority intermediate(Optional<String> name) {
    List<String> names = intermediateNames();
    String chosen;
    if (name.isPresent()) {
      chosen = name.get();
      if (!names.contains(chosen)) {
        throw new BadInputException("no intermediate '" + chosen + "' in " + dir
            + (names.isEmpty() ? " (it has none)" : " (it has: " + String.join(", ", names) + ")"));
      }
    } else if (names.size() == 1) {
      chosen = names.get(0);
    } else if (names.isEmpty()) {
      throw new BadInputException(dir + " has no intermediate; create one with 'trustmesh ca intermediate --dir "
          + dir + " --name NAME'");
    } else {
      throw new BadInputException(dir + " has several intermediates; choose one with --intermediate ("
          + String.join(", ", names) + ")");
    }
    Path idir = dir.resolve("intermediates").resolve(chosen);
    List<X509Certificate> chain = new ArrayList<>(Pem.readCertificates(idir.resolve("ca.pem")));
    SecretFiles.requireOwnerOnly(idir.resolve("ca_key.pem"), "intermediate key");
    return CertificateAuthority.of(chain, Pem.readPrivateKey(idir.resolve("ca_key.pem"), Optional.empty()));
  }

  static void validateName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new BadInputException("invalid intermediate name '" + name
          + "' (letters, digits, '.', '-', '_'; at most 63 characters)");
    }
  }
}
