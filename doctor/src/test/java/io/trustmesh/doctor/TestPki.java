package io.trustmesh.doctor;

import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A trustmesh hierarchy for tests, made with core's CA code (and openssl where trustmesh refuses
 * to make a broken certificate): a root and an intermediate created ten days ago, so leaves can be
 * backdated, and helpers that write what {@code openssl s_server} and doctor read.
 */
public final class TestPki {
  public final TrustDomain td;
  public final Path dir;
  public final IssuedCertificate root;
  public final CertificateAuthority rootCa;
  public final IssuedCertificate intermediate;
  public final CertificateAuthority ca;

  public TestPki(String trustDomain, Path dir) {
    this.td = TrustDomain.parse(trustDomain);
    this.dir = dir;
    ManualClock past = new ManualClock(Instant.now().minus(Duration.ofDays(10)));
    root = Issuance.root(td).clock(past).ttl(Duration.ofDays(3650)).selfSigned();
    rootCa = CertificateAuthority.of(List.of(root.certificate()), root.keyPair().orElseThrow().getPrivate());
    intermediate = Issuance.intermediate("cluster-1", td).clock(past).ttl(Duration.ofDays(365)).signedBy(rootCa);
    ca = CertificateAuthority.of(intermediate.chain(), intermediate.keyPair().orElseThrow().getPrivate());
  }

  public SpiffeId id(String path) {
    return SpiffeId.parse(td.idString() + path);
  }

  public IssuedCertificate workload(String path, String... dns) {
    return Issuance.workload(id(path)).dnsNames(dns).ttl(Duration.ofHours(24)).signedBy(ca);
  }

  /** A workload certificate issued as if {@code at} were now. */
  public IssuedCertificate workloadAt(Instant at, Duration ttl, String path, String... dns) {
    return Issuance.workload(id(path)).dnsNames(dns).clock(new ManualClock(at)).ttl(ttl).signedBy(ca);
  }

  public Path rootFile() {
    return write("root.pem", Pem.encodeCertificates(List.of(root.certificate())));
  }

  public Path intermediateFile() {
    return write("intermediate.pem", Pem.encodeCertificates(List.of(intermediate.certificate())));
  }

  public Path intermediateKeyFile() {
    return write("intermediate_key.pem", Pem.encodePrivateKey(intermediate.keyPair().orElseThrow().getPrivate(), Optional.empty()));
  }

  /** Writes leaf, key and the extra chain certificates for {@code openssl s_server}. */
  public ServerFiles serverFiles(String name, List<X509Certificate> chain, PrivateKey key) {
    Path leaf = write(name + ".pem", Pem.encodeCertificates(chain.subList(0, 1)));
    Path k = write(name + "_key.pem", Pem.encodePrivateKey(key, Optional.empty()));
    Path extra = chain.size() > 1 ? write(name + "_chain.pem", Pem.encodeCertificates(chain.subList(1, chain.size()))) : null;
    return new ServerFiles(leaf, k, Optional.ofNullable(extra));
  }

  public ServerFiles serverFiles(String name, IssuedCertificate cert) {
    return serverFiles(name, cert.chain(), cert.keyPair().orElseThrow().getPrivate());
  }

  /** An agent-style SVID directory: svid.pem, svid_key.pem, svid_bundle.pem. */
  public Path svidDir(String name, IssuedCertificate cert) {
    Path d = dir.resolve(name);
    X509Svid.of(cert.chain(), cert.keyPair().orElseThrow().getPrivate(), name).write(d, List.of(root.certificate()));
    return d;
  }

  public Path write(String name, byte[] bytes) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.write(p, bytes);
      return p;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public record ServerFiles(Path cert, Path key, Optional<Path> chain) {}
}
