package io.trustmesh.proxy;

import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** A test trust domain: a root, a cluster intermediate, and SVIDs written the spiffe-helper way. */
final class Pki {
  final TrustDomain td;
  final X509Certificate root;
  final CertificateAuthority intermediate;

  private Pki(TrustDomain td, X509Certificate root, CertificateAuthority intermediate) {
    this.td = td;
    this.root = root;
    this.intermediate = intermediate;
  }

  static Pki create(String trustDomain) {
    return create(trustDomain, Clock.systemUTC());
  }

  static Pki create(String trustDomain, Clock clock) {
    TrustDomain td = TrustDomain.parse(trustDomain);
    IssuedCertificate root = Issuance.root(td).clock(clock).selfSigned();
    CertificateAuthority rootCa = CertificateAuthority.of(root.chain(), root.keyPair().orElseThrow().getPrivate());
    IssuedCertificate inter = Issuance.intermediate("cluster-1", td).clock(clock).signedBy(rootCa);
    return new Pki(td, root.certificate(),
        CertificateAuthority.of(inter.chain(), inter.keyPair().orElseThrow().getPrivate()));
  }

  SpiffeId id(String... segments) {
    return td.newSpiffeId(segments);
  }

  X509Svid svid(SpiffeId id, String... dnsNames) {
    return svid(id, Clock.systemUTC(), Duration.ofHours(1), dnsNames);
  }

  X509Svid svid(SpiffeId id, Clock clock, Duration ttl, String... dnsNames) {
    IssuedCertificate c = Issuance.workload(id).dnsNames(dnsNames).clock(clock).ttl(ttl).signedBy(intermediate);
    return X509Svid.of(c.chain(), c.keyPair().orElseThrow().getPrivate(), id.toString());
  }

  /** An SVID that expired an hour ago (issued by a CA created with the same back-dated clock). */
  static X509Svid expired(Pki pastPki, SpiffeId id) {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
    return pastPki.svid(id, past, Duration.ofHours(1));
  }

  /** Writes svid.pem (chain), svid_key.pem and svid_bundle.pem (this root) into dir. */
  Path write(X509Svid svid, Path dir) throws Exception {
    Files.createDirectories(dir);
    svid.write(dir, List.of(root));
    return dir;
  }

  /** A directory with separate files for tools that want them: leaf.pem, chain.pem, key.pem, root.pem. */
  Path writeForTools(X509Svid svid, Path dir) throws Exception {
    write(svid, dir);
    AtomicFiles.write(dir.resolve("leaf.pem"), Pem.encodeCertificates(List.of(svid.leaf())), false);
    AtomicFiles.write(dir.resolve("chain.pem"),
        Pem.encodeCertificates(svid.chain().subList(1, svid.chain().size())), false);
    AtomicFiles.write(dir.resolve("key.pem"), Pem.encodePrivateKey(svid.privateKey(), Optional.empty()), true);
    AtomicFiles.write(dir.resolve("root.pem"), Pem.encodeCertificates(List.of(root)), false);
    return dir;
  }
}
