package io.trustmesh.server.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 14: a disk upstream's published anchors are roots, never the intermediate; found in
 * the bundle, the chain, or the 'trustmesh ca' layout, or the start is refused with one line.
 */
class UpstreamRootsTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  @TempDir Path tmp;
  Path ca;
  Path interPem;
  List<X509Certificate> chain;
  X509Certificate root;

  @BeforeEach
  void caDirectory() {
    ca = tmp.resolve("trustmesh-ca");
    CaDirectory.init(ca, TD, KeyType.DEFAULT, Duration.ofDays(3650), List.of("cluster-1"), Duration.ofDays(365),
        Optional.empty(), Clock.systemUTC());
    interPem = ca.resolve("intermediates/cluster-1/ca.pem");
    chain = Pem.readCertificates(interPem);
    root = CaDirectory.open(ca).rootCertificate();
  }

  @Test
  void theRootOfTheCaDirectoryIsPublishedNotTheIntermediate() {
    assertThat(chain).hasSize(1);
    assertThat(UpstreamRoots.find(interPem, chain, Optional.empty())).containsExactly(root);
  }

  @Test
  void aSelfSignedCertificateAtTheEndOfTheChainIsTheRoot() throws Exception {
    Path withRoot = Files.write(tmp.resolve("chain.pem"), Pem.encodeCertificates(List.of(chain.get(0), root)));
    List<X509Certificate> full = Pem.readCertificates(withRoot);
    assertThat(UpstreamRoots.find(withRoot, full, Optional.empty())).containsExactly(root);
  }

  @Test
  void anIntermediateAwayFromItsCaDirectoryWithoutABundleIsRefused() throws Exception {
    Path moved = Files.copy(interPem, tmp.resolve("ca.pem"));
    assertThatThrownBy(() -> UpstreamRoots.find(moved, chain, Optional.empty()))
        .isInstanceOf(BadInputException.class)
        .hasMessage("cannot find the root of upstream " + moved + ": its chain ends at '"
            + chain.get(0).getSubjectX500Principal().getName() + "', issued by '"
            + root.getSubjectX500Principal().getName() + "', which is neither in the file nor the root.pem of its"
            + " CA directory; pass --upstream-bundle ROOTS.pem");
  }

  @Test
  void aBundleTheChainDoesNotLeadToIsRefused() {
    Path other = tmp.resolve("other-ca");
    CaDirectory.init(other, TD, KeyType.DEFAULT, Duration.ofDays(3650), List.of("x"), Duration.ofDays(365),
        Optional.empty(), Clock.systemUTC());
    assertThatThrownBy(() -> UpstreamRoots.find(interPem, chain, Optional.of(other.resolve("root.pem"))))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("upstream " + interPem + " does not chain to any certificate in --upstream-bundle "
            + other.resolve("root.pem"));
    assertThat(UpstreamRoots.find(interPem, chain, Optional.of(ca.resolve("root.pem")))).containsExactly(root);
  }
}
