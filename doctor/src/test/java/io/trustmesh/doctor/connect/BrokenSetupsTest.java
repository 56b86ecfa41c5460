package io.trustmesh.doctor.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.doctor.DoctorReport;
import io.trustmesh.doctor.Finding;
import io.trustmesh.doctor.Identity;
import io.trustmesh.doctor.Openssl;
import io.trustmesh.doctor.TestPki;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The matrix of broken mTLS setups from issue 10, each built with trustmesh's CA code and openssl
 * and served by a real {@code openssl s_server} (the access_denied case by a JDK server, see {@link
 * AccessDeniedServer}); each asserts the cause doctor names, the fix it proposes
 * and its exit code, as {@code trustmesh doctor connect} prints them.
 */
class BrokenSetupsTest {
  @TempDir static Path dir;
  static TestPki pki;
  static TestPki other;
  static Path bundle;
  static Path clientDir;
  static TestPki.ServerFiles healthy;

  @BeforeAll
  static void pki() {
    pki = new TestPki("example.org", dir.resolve("example"));
    other = new TestPki("other.org", dir.resolve("other"));
    bundle = pki.rootFile();
    clientDir = pki.svidDir("client", pki.workload("/ns/prod/sa/web"));
    healthy = pki.serverFiles("api", pki.workload("/ns/prod/sa/api", "localhost"));
  }

  // ------------------------------------------------------------------ the healthy setup

  @Test
  void healthyMutualTlsExitsZero() {
    try (Openssl.Server s = mtlsServer(healthy)) {
      DoctorReport r = diagnose(s.target(), req -> req.identity(clientIdentity()).expectId(pki.id("/ns/prod/sa/api")));
      assertThat(r.findings()).as(r.text()).isEmpty();
      assertThat(r.exitCode()).isZero();
      assertThat(r.text()).contains("healthy", "negotiated TLSv1.3", "the server accepted our certificate spiffe://example.org/ns/prod/sa/web",
          "verifies against the bundle as spiffe://example.org/ns/prod/sa/api", "required");
    }
  }

  // ------------------------------------------------------------------ the server's certificate

  @Test
  void expiredServerCertificate() {
    IssuedCertificate expired = pki.workloadAt(Instant.now().minus(Duration.ofDays(2)), Duration.ofHours(1), "/ns/prod/sa/api");
    try (Openssl.Server s = mtlsServer(pki.serverFiles("expired", expired))) {
      DoctorReport r = diagnose(s.target(), req -> req.identity(clientIdentity()));
      assertProblem(r, Cause.PEER_CERT_EXPIRED, "expired", "Renew the peer's certificate");
      assertThat(only(r, Cause.PEER_CERT_EXPIRED).detail()).contains("ago", "this host's clock says");
    }
  }

  @Test
  void notYetValidServerCertificateFromClockSkew() {
    IssuedCertificate future = pki.workloadAt(Instant.now().plus(Duration.ofHours(3)), Duration.ofHours(1), "/ns/prod/sa/api");
    try (Openssl.Server s = mtlsServer(pki.serverFiles("future", future))) {
      DoctorReport r = diagnose(s.target(), req -> req.identity(clientIdentity()));
      assertProblem(r, Cause.PEER_CERT_NOT_YET_VALID, "clock skew", "Synchronise the clocks");
    }
  }

  @Test
  void unknownAuthorityNamesTheRootsTheBundleHolds() {
    TestPki rotated = new TestPki("example.org", dir.resolve("rotated"));
    IssuedCertificate cert = rotated.workload("/ns/prod/sa/api");
    try (Openssl.Server s = new Openssl.Server(rotated.serverFiles("rotated-api", cert))) {
      DoctorReport r = diagnose(s.target(), req -> req);
      assertProblem(r, Cause.PEER_UNKNOWN_AUTHORITY, "the bundle holds: CN=trustmesh root CA,O=example.org",
          "Give the verifying side the bundle");
      assertThat(only(r, Cause.PEER_UNKNOWN_AUTHORITY).detail()).contains("with another key");
    }
  }

  @Test
  void missingIntermediate() {
    IssuedCertificate cert = pki.workload("/ns/prod/sa/api");
    TestPki.ServerFiles leafOnly = pki.serverFiles("leaf-only", cert.chain().subList(0, 1), cert.keyPair().orElseThrow().getPrivate());
    try (Openssl.Server s = new Openssl.Server(leafOnly)) {
      DoctorReport r = diagnose(s.target(), req -> req);
      assertProblem(r, Cause.PEER_CHAIN_INCOMPLETE, "was issued by CN=trustmesh intermediate CA cluster-1,O=example.org, which the peer did not send",
          "send its full chain");
    }
  }

  @Test
  void chainOutOfOrder() {
    IssuedCertificate second = io.trustmesh.core.ca.Issuance.intermediate("cluster-2", pki.td).pathLen(0).signedBy(pki.ca);
    io.trustmesh.core.ca.CertificateAuthority ca2 = io.trustmesh.core.ca.CertificateAuthority.of(second.chain(),
        second.keyPair().orElseThrow().getPrivate());
    IssuedCertificate leaf = io.trustmesh.core.ca.Issuance.workload(pki.id("/ns/prod/sa/api")).signedBy(ca2);
    List<X509Certificate> shuffled = List.of(leaf.certificate(), pki.intermediate.certificate(), second.certificate());
    try (Openssl.Server s = new Openssl.Server(pki.serverFiles("shuffled", shuffled, leaf.keyPair().orElseThrow().getPrivate()))) {
      DoctorReport r = diagnose(s.target(), req -> req);
      assertProblem(r, Cause.PEER_CHAIN_OUT_OF_ORDER, "is not issued by certificate 2", "the leaf first");
    }
  }

  @Test
  void spiffeIdMismatchShowsBothValues() {
    try (Openssl.Server s = new Openssl.Server(healthy)) {
      DoctorReport r = diagnose(s.target(), req -> req.expectId(pki.id("/ns/prod/sa/payments")));
      assertProblem(r, Cause.PEER_ID_MISMATCH, "got spiffe://example.org/ns/prod/sa/api expected spiffe://example.org/ns/prod/sa/payments",
          "Connect to the right service");
    }
  }

  @Test
  void dnsNameMismatch() {
    try (Openssl.Server s = new Openssl.Server(healthy)) {
      DoctorReport r = diagnose(s.target(), req -> req.serverName("billing.example.com"));
      assertProblem(r, Cause.PEER_NAME_MISMATCH, "billing.example.com", "Add the name to the peer's certificate");
    }
  }

  @Test
  void nameConstraintViolation() {
    // trustmesh's CA refuses to sign outside its trust domain, so openssl plays the misbehaving issuer.
    Path d = pki.dir;
    pki.intermediateFile();
    pki.intermediateKeyFile();
    Openssl.run(d, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "nc_key.pem", "-subj", "/O=trustmesh", "-out", "nc.csr");
    pki.write("nc.ext", ("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        + "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=URI:spiffe://evil.org/ns/prod/sa/api\n"
        + "authorityKeyIdentifier=keyid\n").getBytes(StandardCharsets.US_ASCII));
    Openssl.run(d, "x509", "-req", "-in", "nc.csr", "-CA", "intermediate.pem", "-CAkey", "intermediate_key.pem",
        "-CAcreateserial", "-days", "1", "-extfile", "nc.ext", "-out", "nc.pem");
    TestPki.ServerFiles files = new TestPki.ServerFiles(d.resolve("nc.pem"), d.resolve("nc_key.pem"), Optional.of(d.resolve("intermediate.pem")));
    try (Openssl.Server s = new Openssl.Server(files)) {
      DoctorReport r = diagnose(s.target(), req -> req);
      assertProblem(r, Cause.PEER_NAME_CONSTRAINTS, "spiffe://evil.org", "name constraints permit");
    }
  }

  // ------------------------------------------------------------------ our certificate

  @Test
  void clientCertificateRequiredTls12() {
    try (Openssl.Server s = mtlsServer(healthy, "-tls1_2")) {
      DoctorReport r = diagnose(s.target(), req -> req);
      assertProblem(r, Cause.CERTIFICATE_REQUIRED, "during the handshake", "Give the client an identity");
    }
  }

  @Test
  void clientCertificateRequiredTls13ShowsAfterTheHandshake() {
    try (Openssl.Server s = mtlsServer(healthy, "-tls1_3")) {
      DoctorReport r = diagnose(s.target(), req -> req);
      assertProblem(r, Cause.CERTIFICATE_REQUIRED, "after the handshake had completed", "Give the client an identity");
      assertThat(only(r, Cause.CERTIFICATE_REQUIRED).detail()).contains("certificate_required");
      assertThat(r.text()).contains("negotiated TLSv1.3");
    }
  }

  @Test
  void clientCertificateFromAnUntrustedRoot() {
    Path stranger = other.svidDir("stranger", other.workload("/ns/prod/sa/web"));
    try (Openssl.Server s = mtlsServer(healthy)) {
      DoctorReport r = diagnose(s.target(), req -> req.identity(Identity.fromSvidDir(stranger)).bundle(List.of(pki.root.certificate())));
      assertProblem(r, Cause.REJECTED_UNKNOWN_CA, "unknown_ca", "Add our trust domain's bundle to the peer");
      assertThat(only(r, Cause.REJECTED_UNKNOWN_CA).detail()).contains("the server accepts client certificates from: CN=trustmesh root CA,O=example.org");
    }
  }

  @Test
  void clientCertificateWithoutClientAuth() {
    Path d = pki.dir;
    pki.intermediateFile();
    pki.intermediateKeyFile();
    Openssl.run(d, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "serveronly_key.pem", "-subj", "/O=trustmesh", "-out", "serveronly.csr");
    pki.write("serveronly.ext", ("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        + "extendedKeyUsage=serverAuth\nsubjectAltName=URI:spiffe://example.org/ns/prod/sa/web\n"
        + "authorityKeyIdentifier=keyid\n").getBytes(StandardCharsets.US_ASCII));
    Openssl.run(d, "x509", "-req", "-in", "serveronly.csr", "-CA", "intermediate.pem", "-CAkey", "intermediate_key.pem",
        "-CAcreateserial", "-days", "1", "-extfile", "serveronly.ext", "-out", "serveronly_leaf.pem");
    Path chain = pki.write("serveronly.pem", concat(d.resolve("serveronly_leaf.pem"), d.resolve("intermediate.pem")));
    Identity id = Identity.fromFiles(chain, d.resolve("serveronly_key.pem"));
    try (Openssl.Server s = mtlsServer(healthy)) {
      DoctorReport r = diagnose(s.target(), req -> req.identity(id));
      assertProblem(r, Cause.REJECTED_UNSUPPORTED_CERTIFICATE, "unsupported_certificate", "extendedKeyUsage clientAuth");
      assertThat(only(r, Cause.REJECTED_UNSUPPORTED_CERTIFICATE).detail()).contains("clientAuth");
    }
  }

  @Test
  void deniedByTheServersAllowPolicy() throws Exception {
    IssuedCertificate serverCert = pki.workload("/ns/prod/sa/api", "localhost");
    X509Svid serverSvid = X509Svid.of(serverCert.chain(), serverCert.keyPair().orElseThrow().getPrivate(), "api");
    try (AccessDeniedServer s = new AccessDeniedServer(serverSvid, List.of(pki.root.certificate()),
        Set.of(pki.id("/ns/prod/sa/billing")))) {
      DoctorReport r = diagnose(s.target(), req -> req.identity(clientIdentity()));
      assertProblem(r, Cause.ACCESS_DENIED, "access_denied", "add our SPIFFE ID to its allow list");
      assertThat(only(r, Cause.ACCESS_DENIED).detail()).contains("spiffe://example.org/ns/prod/sa/web", "after the handshake");
    }
  }

  // ------------------------------------------------------------------ negotiation

  @Test
  void tlsVersionMismatch() {
    try (Openssl.Server s = new Openssl.Server(healthy, "-tls1_3")) {
      DoctorReport r = diagnose(s.target(), req -> req.tlsVersions(List.of("TLSv1.2")));
      assertProblem(r, Cause.PROTOCOL_VERSION, "the server accepts only TLSv1.3", "Enable TLS 1.3");
    }
  }

  @Test
  void noSharedCipherSuite() {
    try (Openssl.Server s = new Openssl.Server(healthy, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA")) {
      DoctorReport r = diagnose(s.target(), req -> req);
      assertProblem(r, Cause.NO_SHARED_CIPHER, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "AES-GCM or ChaCha20-Poly1305");
    }
  }

  @Test
  void everySuiteTheServerAcceptsIsListedAndTheWeakOnesNamed() {
    try (Openssl.Server s = new Openssl.Server(healthy, "-tls1_2", "-cipher",
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-SHA")) {
      DoctorReport r = diagnose(s.target(), req -> req.identity(clientIdentity()).expectId(pki.id("/ns/prod/sa/api")));
      assertThat(r.text()).as(r.text()).containsPattern("the server accepts (TLS_ECDHE_ECDSA_\\w+(, )?){3}")
          .contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
              "outside trustmesh's AEAD set: TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA")
          .doesNotContain("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"); // not configured, so not accepted
    }
  }

  // ------------------------------------------------------------------ below TLS

  @Test
  void plaintextHttpServerOnThePort() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", ex -> {
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    http.start();
    try {
      DoctorReport r = diagnose("127.0.0.1:" + http.getAddress().getPort(), req -> req);
      assertProblem(r, Cause.PLAINTEXT_HTTP, "HTTP", "Use the TLS port");
    } finally {
      http.stop(0);
    }
  }

  @Test
  void nothingListening() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    DoctorReport r = diagnose("127.0.0.1:" + port, req -> req);
    assertProblem(r, Cause.CONNECTION_REFUSED, "refused", "Start the service");
  }

  @Test
  void portThatAcceptsAndNeverAnswers() throws Exception {
    // The kernel completes the TCP handshake from the backlog; nobody ever reads or writes.
    try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      DoctorReport r = diagnose("127.0.0.1:" + s.getLocalPort(), req -> req);
      assertProblem(r, Cause.NO_RESPONSE, "no answer within", "hung");
    }
  }

  // ------------------------------------------------------------------ helpers

  private static Openssl.Server mtlsServer(TestPki.ServerFiles files, String... extra) {
    List<String> args = new ArrayList<>(List.of("-Verify", "2", "-verify_return_error", "-CAfile", bundle.toString()));
    args.addAll(List.of(extra));
    return new Openssl.Server(files, args.toArray(new String[0]));
  }

  private static Identity clientIdentity() {
    return Identity.fromSvidDir(clientDir);
  }

  private static byte[] concat(Path a, Path b) {
    try {
      byte[] x = Files.readAllBytes(a);
      byte[] y = Files.readAllBytes(b);
      byte[] out = new byte[x.length + y.length];
      System.arraycopy(x, 0, out, 0, x.length);
      System.arraycopy(y, 0, out, x.length, y.length);
      return out;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A request as the CLI builds it: bundle from --bundle, short waits to keep the suite fast. */
  static final class Req {
    Optional<Identity> identity = Optional.empty();
    Optional<List<X509Certificate>> bundle = Optional.of(Pem.readCertificates(BrokenSetupsTest.bundle));
    Optional<SpiffeId> expectId = Optional.empty();
    Optional<String> serverName = Optional.empty();
    List<String> versions = ConnectRequest.ALL_VERSIONS;

    Req identity(Identity i) {
      identity = Optional.of(i);
      return this;
    }

    Req bundle(List<X509Certificate> b) {
      bundle = Optional.of(b);
      return this;
    }

    Req expectId(SpiffeId id) {
      expectId = Optional.of(id);
      return this;
    }

    Req serverName(String n) {
      serverName = Optional.of(n);
      return this;
    }

    Req tlsVersions(List<String> v) {
      versions = v;
      return this;
    }
  }

  static DoctorReport diagnose(String target, java.util.function.UnaryOperator<Req> setup) {
    Req q = setup.apply(new Req());
    String[] hp = ConnectRequest.splitTarget(target);
    ConnectRequest request = new ConnectRequest(hp[0], Integer.parseInt(hp[1]), q.identity, q.bundle, q.expectId,
        Optional.empty(), q.serverName, q.versions, Duration.ofSeconds(1), Duration.ofMillis(800));
    return new ConnectDoctor(Clock.systemUTC()).diagnose(request);
  }

  static void assertProblem(DoctorReport r, Cause cause, String detail, String fix) {
    assertThat(r.findings()).as(r.text()).extracting(Finding::cause).contains(cause);
    assertThat(only(r, cause).detail()).as(r.text()).contains(detail);
    assertThat(r.fixes()).as(r.text()).anySatisfy(f -> assertThat(f).contains(fix));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.text()).contains("[" + cause.code() + "]", "fixes:", "1. ");
    assertThat(r.toMap()).containsKeys("steps", "peer", "verdict", "fixes");
  }

  static Finding only(DoctorReport r, Cause cause) {
    return r.findings().stream().filter(f -> f.cause() == cause).findFirst().orElseThrow();
  }
}
