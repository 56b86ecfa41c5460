package io.trustmesh.server.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.trustmesh.api.grpc.SvidKeyManager;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import io.trustmesh.server.SpiffeBundleJson;
import io.trustmesh.server.datastore.FederationRelationship;
import io.trustmesh.server.datastore.JdbcDataStore;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A federated bundle endpoint that misbehaves (garbage, an older spiffe_sequence, the wrong
 * identity, unreachable) never replaces the last good bundle; the error is recorded, the fetch is
 * retried with backoff, and a newer good bundle is taken at the refresh hint.
 */
class FederatedBundleKeepsLastGoodTest {
  static final TrustDomain PARTNER = TrustDomain.parse("partner.org");

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(Instant.now());
  final AtomicReference<String> body = new AtomicReference<>();
  final AtomicInteger requests = new AtomicInteger();
  CertificateAuthority root;
  JdbcDataStore store;
  HttpsServer endpoint;
  FederationRefresher refresher;

  @BeforeEach
  void setUp() throws Exception {
    CryptoProviders.install();
    root = ca();
    store = JdbcDataStore.open("sqlite", dir);
    endpoint = endpoint(root, PARTNER.newSpiffeId("trustmesh", "server"));
    refresher = new FederationRefresher(store, new BundleFetcher(clock), clock);
  }

  @AfterEach
  void tearDown() {
    endpoint.stop(0);
    store.close();
  }

  static CertificateAuthority ca() {
    IssuedCertificate r = Issuance.root(PARTNER).ttl(Duration.ofDays(30)).selfSigned();
    return CertificateAuthority.of(r.chain(), r.keyPair().orElseThrow().getPrivate());
  }

  HttpsServer endpoint(CertificateAuthority ca, SpiffeId presents) throws Exception {
    IssuedCertificate leaf = Issuance.workload(presents).ttl(Duration.ofHours(1)).signedBy(ca);
    X509Svid svid = X509Svid.of(leaf.chain(), leaf.keyPair().orElseThrow().getPrivate(), "endpoint");
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(new KeyManager[] {new SvidKeyManager(() -> Optional.of(svid))}, null, null);
    HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setHttpsConfigurator(new HttpsConfigurator(ssl));
    s.createContext("/", ex -> {
      requests.incrementAndGet();
      byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    });
    s.start();
    return s;
  }

  static String bundle(List<X509Certificate> roots, long sequence) {
    return SpiffeBundleJson.render(roots, "", sequence, Duration.ofSeconds(10));
  }

  void federate(HttpsServer at, String initial, long sequence) {
    store.createFederation(new FederationRelationship(PARTNER,
        URI.create("https://127.0.0.1:" + at.getAddress().getPort()), FederationRelationship.Profile.HTTPS_SPIFFE,
        PARTNER.newSpiffeId("trustmesh", "server"), initial, sequence, clock.instant(), "", clock.instant()), "test");
  }

  FederationRelationship stored() {
    return store.federation(PARTNER).orElseThrow();
  }

  List<X509Certificate> storedRoots() {
    return SpiffeBundle.parse(PARTNER, stored().bundleJson()).x509Authorities();
  }

  @Test
  void garbageAndAnOlderSequenceKeepTheLastGoodBundleAndANewerOneReplacesIt() {
    federate(endpoint, bundle(List.of(root.certificate()), 5), 5);

    body.set("<html>502 Bad Gateway</html>");
    refresher.tick();
    assertThat(storedRoots()).containsExactlyElementsOf(List.of(root.certificate()));
    assertThat(stored().sequence()).isEqualTo(5);
    assertThat(stored().lastError()).contains("not JSON").contains("keeping the last good bundle");
    assertThat(refresher.renderMetrics()).contains("trustmesh_federated_bundle_fetch_failing{trust_domain=\"partner.org\"} 1");

    // Backoff: no new request before the first retry delay has passed.
    int before = requests.get();
    refresher.tick();
    assertThat(requests.get()).isEqualTo(before);

    CertificateAuthority other = ca();
    body.set(bundle(List.of(other.certificate()), 3));
    clock.advance(FederationRefresher.FIRST_RETRY);
    refresher.tick();
    assertThat(requests.get()).isEqualTo(before + 1);
    assertThat(storedRoots()).as("an older sequence is refused").containsExactlyElementsOf(List.of(root.certificate()));
    assertThat(stored().lastError()).contains("spiffe_sequence 3, older than the last good 5");

    body.set("{\"keys\":[{\"use\":\"x509-svid\",\"kty\":\"EC\",\"x5c\":[\"bm90IGEgY2VydA==\"]}],\"spiffe_sequence\":9}");
    clock.advance(Duration.ofMinutes(1));
    refresher.tick();
    assertThat(storedRoots()).containsExactlyElementsOf(List.of(root.certificate()));
    assertThat(stored().lastError()).contains("has no valid certificate");

    body.set(bundle(List.of(root.certificate(), other.certificate()), 7));
    clock.advance(Duration.ofMinutes(5));
    refresher.tick();
    assertThat(stored().sequence()).isEqualTo(7);
    assertThat(storedRoots()).containsExactly(root.certificate(), other.certificate());
    assertThat(stored().lastError()).isEmpty();
    assertThat(refresher.renderMetrics())
        .contains("trustmesh_federated_bundle_age_seconds{trust_domain=\"partner.org\"} 0")
        .contains("trustmesh_federated_bundle_fetch_failing{trust_domain=\"partner.org\"} 0");

    // The next fetch waits for the bundle's refresh hint (10s).
    int after = requests.get();
    clock.advance(Duration.ofSeconds(9));
    refresher.tick();
    assertThat(requests.get()).isEqualTo(after);
    clock.advance(Duration.ofSeconds(1));
    refresher.tick();
    assertThat(requests.get()).isEqualTo(after + 1);
  }

  @Test
  void anEndpointPresentingAnotherIdentityIsNotBelieved() throws Exception {
    // The endpoint holds a valid partner.org SVID, but for a workload, not the bundle endpoint.
    HttpsServer impostor = endpoint(root, PARTNER.newSpiffeId("web"));
    try {
      federate(impostor, bundle(List.of(root.certificate()), 5), 5);
      body.set(bundle(List.of(ca().certificate()), 6));
      refresher.tick();
      assertThat(stored().sequence()).isEqualTo(5);
      assertThat(storedRoots()).containsExactlyElementsOf(List.of(root.certificate()));
      assertThat(stored().lastError()).contains("spiffe://partner.org/web");
    } finally {
      impostor.stop(0);
    }
  }

  @Test
  void anEndpointUnderAnotherRootIsNotBelieved() throws Exception {
    // Right SPIFFE ID, but signed by a CA that is not in partner.org's last good bundle.
    HttpsServer impostor = endpoint(ca(), PARTNER.newSpiffeId("trustmesh", "server"));
    try {
      federate(impostor, bundle(List.of(root.certificate()), 5), 5);
      body.set(bundle(List.of(ca().certificate()), 6));
      refresher.tick();
      assertThat(stored().sequence()).isEqualTo(5);
      assertThat(stored().lastError()).isNotEmpty();
    } finally {
      impostor.stop(0);
    }
  }

  @Test
  void anUnreachableEndpointKeepsTheBundleAndRetriesWithGrowingBackoff() {
    federate(endpoint, bundle(List.of(root.certificate()), 5), 5);
    endpoint.stop(0);
    refresher.tick();
    assertThat(stored().lastError()).contains("fetching https://127.0.0.1:");
    assertThat(storedRoots()).containsExactlyElementsOf(List.of(root.certificate()));
  }
}
