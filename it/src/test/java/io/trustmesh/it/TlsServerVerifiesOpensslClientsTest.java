package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS server whose trust decision is {@link SpiffeTrustManager} (as the proxy's is), with
 * {@code openssl s_client} as the client: an SVID of the server's trust domain gets through, one of
 * another trust domain is refused with the verifier's reason.
 */
class TlsServerVerifiesOpensslClientsTest {
  private static final TrustDomain A = TrustDomain.parse("a.org");
  private static final TrustDomain B = TrustDomain.parse("b.org");

  @TempDir Path dir;
  private ExecutorService pool;
  private SSLServerSocket listener;
  private IssuedCertificate rootA;

  @BeforeAll
  static void providers() {
    CryptoProviders.install();
  }

  /** What the server saw of one connection: the peer's SPIFFE ID, or why the handshake failed. */
  private record Seen(String peer, Throwable failure) {}

  @BeforeEach
  void server() throws Exception {
    rootA = Issuance.root(A).selfSigned();
    X509Svid server = svid(ca(Issuance.intermediate("cluster-1", A).signedBy(ca(rootA))), "spiffe://a.org/server");
    X509BundleSet bundles = X509BundleSet.of(new X509Bundle(A, List.of(rootA.certificate())));
    SpiffeTrustManager trust = new SpiffeTrustManager(() -> bundles,
        SpiffeTrustManager.Authorizer.allowAny(), Clock.systemUTC());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(TlsDefaults.keyManagers(server), new TrustManager[] {trust}, null);
    listener = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    SSLParameters p = listener.getSSLParameters();
    p.setProtocols(TlsDefaults.PROTOCOLS.toArray(new String[0]));
    p.setNeedClientAuth(true);
    listener.setSSLParameters(p);
    listener.setSoTimeout(30_000);
    pool = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void stop() throws Exception {
    pool.shutdownNow();
    listener.close();
  }

  private static CertificateAuthority ca(IssuedCertificate c) {
    return CertificateAuthority.of(c.chain(), c.keyPair().orElseThrow().getPrivate());
  }

  private static X509Svid svid(CertificateAuthority ca, String id) {
    IssuedCertificate c = Issuance.workload(SpiffeId.parse(id)).signedBy(ca);
    return X509Svid.of(c.chain(), c.keyPair().orElseThrow().getPrivate(), id);
  }

  private Future<Seen> acceptOne() {
    return pool.submit(() -> {
      try (SSLSocket s = (SSLSocket) listener.accept()) {
        s.setSoTimeout(30_000);
        try {
          s.startHandshake();
          X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
          String peer = X509Svid.spiffeIdOf(leaf, "peer").toString();
          String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
          new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true)
              .println("hello " + peer + " you said " + line);
          return new Seen(peer, null);
        } catch (Exception e) {
          return new Seen(null, e);
        }
      }
    });
  }

  /** Runs {@code openssl s_client} with the client's SVID; returns what it printed. */
  private String opensslClient(X509Svid client) throws Exception {
    Path clientDir = dir.resolve(client.spiffeId().trustDomain().name());
    client.write(clientDir, List.of(rootA.certificate()));
    Path caFile = dir.resolve("server-roots.pem");
    Files.write(caFile, Pem.encodeCertificates(List.of(rootA.certificate())));
    Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + listener.getLocalPort(),
        "-cert", clientDir.resolve(X509Svid.CERT_FILE).toString(),
        "-cert_chain", clientDir.resolve(X509Svid.CERT_FILE).toString(), // s_client sends only the leaf otherwise
        "-key", clientDir.resolve(X509Svid.KEY_FILE).toString(),
        "-CAfile", caFile.toString(), "-verify_return_error", "-quiet", "-ign_eof")
        .redirectErrorStream(true).start();
    try {
      p.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl s_client finished").isTrue();
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void acceptsAClientOfItsOwnTrustDomain() throws Exception {
    X509Svid web = svid(ca(Issuance.intermediate("cluster-2", A).signedBy(ca(rootA))), "spiffe://a.org/web");
    Future<Seen> seen = acceptOne();

    String out = opensslClient(web);

    Seen s = seen.get(60, TimeUnit.SECONDS);
    assertThat(s.failure()).isNull();
    assertThat(s.peer()).isEqualTo("spiffe://a.org/web");
    assertThat(out).contains("hello spiffe://a.org/web you said ping");
  }

  @Test
  void refusesAClientOfAnotherTrustDomainWithTheReason() throws Exception {
    IssuedCertificate rootB = Issuance.root(B).selfSigned();
    X509Svid db = svid(ca(Issuance.intermediate("cluster-1", B).signedBy(ca(rootB))), "spiffe://b.org/db");
    Future<Seen> seen = acceptOne();

    String out = opensslClient(db);

    Seen s = seen.get(60, TimeUnit.SECONDS);
    assertThat(s.peer()).isNull();
    assertThat(refusal(s.failure())).isNotNull();
    assertThat(refusal(s.failure()).getMessage())
        .isEqualTo("no trust bundle for trust domain b.org (peer spiffe://b.org/db)");
    assertThat(out).doesNotContain("hello");
  }

  private static SpiffeTrustManager.PeerRefusedException refusal(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SpiffeTrustManager.PeerRefusedException r) {
        return r;
      }
      for (Throwable sup : Arrays.asList(c.getSuppressed())) {
        if (sup instanceof SpiffeTrustManager.PeerRefusedException r) {
          return r;
        }
      }
    }
    return null;
  }
}
