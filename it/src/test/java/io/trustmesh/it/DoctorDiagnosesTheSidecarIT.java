package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.doctor.DoctorReport;
import io.trustmesh.doctor.Finding;
import io.trustmesh.doctor.Identity;
import io.trustmesh.doctor.connect.ConnectDoctor;
import io.trustmesh.doctor.connect.ConnectRequest;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broken setups of issue 10 where the server side is trustmesh's own sidecar ({@code trustmesh
 * proxy inbound}, one STRICT and one PERMISSIVE process shared by the class, in front of an echo
 * backend): doctor names the cause from what the sidecar really sends, including the
 * handshake_failure a BoringSSL server sends after the TLS 1.3 handshake when its allow list
 * refuses a verified identity. The openssl-served variants are in doctor's {@code BrokenSetupsTest}.
 */
class DoctorDiagnosesTheSidecarIT {
  private static final Pattern LISTENING = Pattern.compile("inbound +\\S+ +127\\.0\\.0\\.1:(\\d+) ->");
  private static final TrustDomain TD = TrustDomain.parse("example.org");
  private static final String API = "spiffe://example.org/ns/prod/sa/api";
  private static final String WEB = "spiffe://example.org/ns/prod/sa/web";
  /**
   * How long doctor waits for the sidecar's verdict after the TLS 1.3 handshake. A loaded CI
   * machine with a cold sidecar JVM took 0.8 s to refuse a certificate here; quiet past this wait is
   * read as acceptance, so it is generous (it costs only the healthy probes).
   */
  private static final Duration READ_AFTER_HANDSHAKE = Duration.ofSeconds(4);

  @TempDir static Path dir;
  static X509Certificate root;
  static X509Certificate rogueRoot;
  static Identity web;
  static Identity billing;
  static Identity intruder;
  static EchoBackend backend;
  static Proc strict;
  static Proc permissive;
  static String strictTarget;
  static String permissiveTarget;

  @BeforeAll
  static void sidecars() throws Exception {
    CryptoProviders.install();
    Pki ca = pki();
    Pki rogue = pki();
    root = ca.root();
    rogueRoot = rogue.root();
    svidDir("api", API, ca);
    web = Identity.fromSvidDir(svidDir("web", WEB, ca));
    billing = Identity.fromSvidDir(svidDir("billing", "spiffe://example.org/ns/prod/sa/billing", ca));
    intruder = Identity.fromSvidDir(svidDir("intruder", WEB, rogue));
    backend = new EchoBackend();
    // Both start at once: two JVM starts overlap instead of adding up.
    strict = sidecar("strict");
    permissive = sidecar("permissive");
    strictTarget = "127.0.0.1:" + port(strict);
    permissiveTarget = "127.0.0.1:" + port(permissive);
    // Doctor reads quiet after the handshake as acceptance, so a refusal slower than
    // READ_AFTER_HANDSHAKE would be misread. A cold JVM's first refusals are the slow ones (class
    // loading, interpreted code): make them here, on paths no test looks for in the sidecar's log.
    diagnose(strictTarget, Optional.empty(), root);
    diagnose(strictTarget, Optional.of(intruder), root);
  }

  @AfterAll
  static void stop() throws Exception {
    try (Proc a = strict; Proc b = permissive; EchoBackend e = backend) {
      // closed in reverse order, each even if another fails
    }
  }

  @Test
  void anAllowedCallerIsHealthyAndTheStrictPortRefusesPlaintext() {
    DoctorReport r = diagnose(strictTarget, Optional.of(web), root);
    assertThat(r.findings()).as(r.text()).isEmpty();
    assertThat(r.exitCode()).isZero();
    assertThat(r.text()).contains("the server accepted our certificate " + WEB, "verifies against the bundle as " + API,
        "a plaintext request was not let through");
  }

  @Test
  void aCallerNotInTheAllowListIsDeniedByTheServersAllowPolicy() {
    DoctorReport r = diagnose(strictTarget, Optional.of(billing), root);
    Finding f = only(r, Cause.ACCESS_DENIED);
    assertThat(f.detail()).as(r.text()).startsWith("denied by the server's allow policy")
        .contains("spiffe://example.org/ns/prod/sa/billing", "handshake_failure", "after the handshake");
    assertThat(r.fixes()).anySatisfy(fix -> assertThat(fix).contains("add our SPIFFE ID to its allow list"));
    assertThat(r.exitCode()).isEqualTo(1);
    // The sidecar's side of the same connection, in the same taxonomy.
    await().atMost(Duration.ofSeconds(20)).until(() -> strict.output().contains("\"reason\":\"peer_not_allowed\""));
  }

  @Test
  void noClientCertificateIsRefusedAfterTheTls13Handshake() {
    DoctorReport r = diagnose(strictTarget, Optional.empty(), root);
    assertThat(only(r, Cause.CERTIFICATE_REQUIRED).detail()).as(r.text())
        .contains("certificate_required", "after the handshake had completed");
    assertThat(r.text()).contains("negotiated TLSv1.3");
    assertThat(r.exitCode()).isEqualTo(1);
  }

  @Test
  void aClientCertificateFromAnotherRootIsRefusedAsUnknownCa() {
    DoctorReport r = diagnose(strictTarget, Optional.of(intruder), root);
    assertThat(only(r, Cause.REJECTED_UNKNOWN_CA).detail()).as(r.text())
        .contains("unknown_ca", "after the handshake had completed");
    assertThat(r.findings()).extracting(Finding::cause).doesNotContain(Cause.ACCESS_DENIED);
    assertThat(r.exitCode()).isEqualTo(1);
  }

  @Test
  void aWrongBundleNamesTheUnknownAuthority() {
    DoctorReport r = diagnose(strictTarget, Optional.of(web), rogueRoot);
    assertThat(only(r, Cause.PEER_UNKNOWN_AUTHORITY).detail()).as(r.text()).contains("the bundle holds");
    assertThat(r.exitCode()).isEqualTo(1);
  }

  @Test
  void aPermissivePortIsSeenLettingPlaintextThrough() {
    DoctorReport r = diagnose(permissiveTarget, Optional.of(web), root);
    assertThat(only(r, Cause.PLAINTEXT_ACCEPTED).detail()).as(r.text())
        .contains("was let through and answered with \"HEAD / HTTP/1.0\"");
    assertThat(r.text()).contains("the server accepted our certificate " + WEB);
    assertThat(r.fixes()).anySatisfy(fix -> assertThat(fix).contains("Make the port STRICT"));
    assertThat(r.exitCode()).isEqualTo(1);
  }

  // ------------------------------------------------------------------ fixture

  /** A root and the intermediate that signs workloads; two of them share every name, as two installs would. */
  private record Pki(X509Certificate root, CertificateAuthority signer) {}

  private static Pki pki() {
    IssuedCertificate r = Issuance.root(TD).ttl(Duration.ofDays(30)).selfSigned();
    CertificateAuthority rootCa = CertificateAuthority.of(List.of(r.certificate()), r.keyPair().orElseThrow().getPrivate());
    IssuedCertificate i = Issuance.intermediate("cluster-1", TD).ttl(Duration.ofDays(10)).signedBy(rootCa);
    return new Pki(r.certificate(), CertificateAuthority.of(i.chain(), i.keyPair().orElseThrow().getPrivate()));
  }

  private static Path svidDir(String name, String id, Pki pki) {
    IssuedCertificate c = Issuance.workload(SpiffeId.parse(id)).ttl(Duration.ofHours(1)).signedBy(pki.signer());
    Path d = dir.resolve(name);
    X509Svid.of(c.chain(), c.keyPair().orElseThrow().getPrivate(), name).write(d, List.of(pki.root()));
    return d;
  }

  private static Proc sidecar(String mode) throws Exception {
    return Proc.trustmesh(dir, "proxy", "inbound", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:" + backend.port(),
        "--mode", mode, "--svid-dir", dir.resolve("api"), "--allow-id", WEB, "--access-log", "-");
  }

  private static int port(Proc sidecar) {
    await().atMost(Duration.ofSeconds(120)).until(() -> LISTENING.matcher(sidecar.output()).find() || !sidecar.isAlive());
    Matcher m = LISTENING.matcher(sidecar.output());
    assertThat(m.find()).as(sidecar.output()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static DoctorReport diagnose(String target, Optional<Identity> id, X509Certificate bundle) {
    String[] hp = ConnectRequest.splitTarget(target);
    ConnectRequest request = new ConnectRequest(hp[0], Integer.parseInt(hp[1]), id, Optional.of(List.of(bundle)),
        Optional.of(SpiffeId.parse(API)), Optional.empty(), Optional.empty(), ConnectRequest.ALL_VERSIONS,
        Duration.ofSeconds(5), READ_AFTER_HANDSHAKE);
    return new ConnectDoctor(Clock.systemUTC()).diagnose(request);
  }

  private static Finding only(DoctorReport r, Cause cause) {
    return r.findings().stream().filter(f -> f.cause() == cause).findFirst()
        .orElseThrow(() -> new AssertionError("no " + cause.code() + " in:\n" + r.text()));
  }
}
