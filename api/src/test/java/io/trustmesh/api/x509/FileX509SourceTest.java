package io.trustmesh.api.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-backed source: reload on change, keep the last good state when a file is broken. */
class FileX509SourceTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final SpiffeId ID = TD.newSpiffeId("ns", "prod", "sa", "web");
  @TempDir Path dir;
  X509Certificate root;
  CertificateAuthority ca;

  @BeforeEach
  void ca() {
    IssuedCertificate r = Issuance.root(TD).selfSigned();
    root = r.certificate();
    ca = CertificateAuthority.of(r.chain(), r.keyPair().orElseThrow().getPrivate());
  }

  X509Svid issue() {
    IssuedCertificate c = Issuance.workload(ID).ttl(Duration.ofHours(1)).signedBy(ca);
    return X509Svid.of(c.chain(), c.keyPair().orElseThrow().getPrivate(), "test");
  }

  @Test
  void loadsTheDirectoryAndFollowsARotation() throws Exception {
    X509Svid first = issue();
    first.write(dir, List.of(root));
    AtomicInteger updates = new AtomicInteger();
    try (FileX509Source source = FileX509Source.watchDirectory(dir, Duration.ofMinutes(5), msg -> {})) {
      source.subscribe(updates::incrementAndGet);
      assertThat(source.svid().leaf()).isEqualTo(first.leaf());
      assertThat(source.bundles().forTrustDomain(TD).orElseThrow().authorities()).containsExactly(root);

      X509Svid second = issue();
      second.write(dir, List.of(root));

      // Subscribers hear of a rotation just after the new SVID is in place: wait for the notice,
      // not for the swap, or a loaded machine sees the swap with the notice still on its way.
      await().atMost(Duration.ofSeconds(10)).until(() -> updates.get() >= 1);
      assertThat(source.svid().leaf()).isEqualTo(second.leaf());
      assertThat(updates.get()).isEqualTo(1);
      assertThat(source.lastFailure()).isEmpty();
    }
  }

  @Test
  void brokenFileIsReportedAndTheLastGoodSvidStays() throws Exception {
    X509Svid first = issue();
    first.write(dir, List.of(root));
    List<String> failures = new CopyOnWriteArrayList<>();
    try (FileX509Source source = FileX509Source.watchDirectory(dir, Duration.ofMinutes(5), failures::add)) {
      // a key that belongs to another certificate
      X509Svid other = issue();
      Files.write(dir.resolve(X509Svid.KEY_FILE), io.trustmesh.core.pem.Pem.encodePrivateKey(other.privateKey(),
          java.util.Optional.empty()));

      await().atMost(Duration.ofSeconds(10)).until(() -> !failures.isEmpty());
      assertThat(failures.get(0)).contains("keeping the last good SVID").contains("does not match");
      assertThat(source.svid().leaf()).isEqualTo(first.leaf());
      assertThat(source.lastFailure()).isPresent();
    }
  }

  @Test
  void missingDirectoryIsBadInput() {
    assertThatThrownBy(() -> FileX509Source.watchDirectory(dir.resolve("nope"), Duration.ofSeconds(30), m -> {}))
        .isInstanceOf(BadInputException.class).hasMessageContaining("SVID directory not found");
  }
}
