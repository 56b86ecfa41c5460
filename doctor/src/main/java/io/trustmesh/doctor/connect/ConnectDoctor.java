package io.trustmesh.doctor.connect;

import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.tls.TlsDefaults;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.doctor.ChainJudge;
import io.trustmesh.doctor.ChainJudge.Expectations;
import io.trustmesh.doctor.ChainJudge.Judgement;
import io.trustmesh.doctor.DoctorReport;
import io.trustmesh.doctor.Finding;
import io.trustmesh.doctor.Identity;
import io.trustmesh.doctor.Step;
import io.trustmesh.doctor.connect.ProbeResult.Ending;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * {@code trustmesh doctor connect}: real handshakes against a server, each step recorded, ending
 * in causes from the shared taxonomy ({@link Cause}) and their fixes.
 *
 * <p>The probes, in order: TCP; the main handshake as the client would do it (with its identity,
 * its TLS versions, trustmesh's suites, then one read to catch a TLS 1.3 rejection that arrives
 * after the handshake); one handshake per TLS version to learn what the server accepts; when the
 * main one failed before the server's certificate, one with every suite the JDK has, to tell "no
 * shared cipher" from other refusals; and, when an identity is given, the same handshake without
 * it, to say whether the server requires a client certificate. The server's chain is judged by
 * core's verifier ({@link ChainJudge}), never by JSSE.
 */
public final class ConnectDoctor {
  /** Bounds the suite listing (a server that "accepts" anything must not make doctor loop). */
  private static final int MAX_SUITES = 40;

  private final Clock clock;

  public ConnectDoctor(Clock clock) {
    this.clock = clock;
  }

  public DoctorReport diagnose(ConnectRequest r) {
    Instant now = clock.instant();
    String target = r.host() + ":" + r.port();
    List<Step> steps = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    List<X509Certificate> chain = List.of();
    InetAddress address;
    try {
      address = InetAddress.getByName(r.host());
    } catch (UnknownHostException e) {
      return stop(target, steps, findings, "resolve", new Finding(Cause.UNKNOWN_HOST, "'" + r.host() + "' does not resolve"), now);
    }
    InetSocketAddress sa = new InetSocketAddress(address, r.port());
    Optional<Finding> tcp = PortProbe.connect(sa, r.timeout());
    if (tcp.isPresent()) {
      return stop(target, steps, findings, "tcp", tcp.get(), now);
    }
    steps.add(Step.ok("tcp", "connected to " + address.getHostAddress() + ":" + r.port()));

    ProbeResult main = probe(sa, r, r.tlsVersions(), TlsDefaults.CIPHER_SUITES, r.identity(), true);
    if (main.ending() == Ending.CONNECT_FAILED) {
      return stop(target, steps, findings, "tls", new Finding(Cause.CONNECTION_RESET,
          "a first connection opened, the next one failed (the server stopped or flaps): " + main.detail()), now);
    }
    if (main.ending() == Ending.NOT_TLS) {
      Cause cause = WireBytes.classify(main.firstBytes());
      return stop(target, steps, findings, "tls", new Finding(cause, "after our ClientHello " + main.detail()), now);
    }
    boolean silent = main.firstBytes().length == 0 && !main.handshakeDone();
    if (silent && (main.ending() == Ending.TIMEOUT || main.ending() == Ending.CLOSED || main.ending() == Ending.RESET)) {
      if (PortProbe.speaksHttp(sa, r.timeout())) {
        return stop(target, steps, findings, "tls", new Finding(Cause.PLAINTEXT_HTTP,
            "no TLS answer to our ClientHello, but an HTTP request got an HTTP response"), now);
      }
      Cause cause = main.ending() == Ending.TIMEOUT ? Cause.NO_RESPONSE : Cause.CONNECTION_RESET;
      return stop(target, steps, findings, "tls", new Finding(cause, "after our ClientHello: " + main.detail()), now);
    }
    steps.add(Step.ok("tls", "the port speaks TLS"));

    List<String> accepted = new ArrayList<>();
    List<String> suites = new ArrayList<>();
    for (String version : ConnectRequest.ALL_VERSIONS) {
      ProbeResult p = probe(sa, r, List.of(version), jdkSuites(), Optional.empty(), false);
      if (p.handshakeDone() || p.serverCertificateSeen()) {
        accepted.add(version);
        chain = chain.isEmpty() ? p.serverChain() : chain;
        suites.addAll(acceptedSuites(sa, r, version, p));
      }
    }
    steps.add(new Step("tls-versions", !accepted.isEmpty(), accepted.isEmpty()
        ? "the server completed no handshake with TLS 1.3 or 1.2" : "the server accepts " + String.join(", ", accepted)));
    if (!accepted.isEmpty()) {
      List<String> weak = suites.stream().filter(su -> !TlsDefaults.CIPHER_SUITES.contains(su)).toList();
      steps.add(Step.ok("tls-suites", "the server accepts " + (suites.isEmpty() ? "suites it did not name"
          : String.join(", ", suites)) + (weak.isEmpty() ? "" : "; outside trustmesh's AEAD set: " + String.join(", ", weak))));
    }

    boolean negotiated = main.handshakeDone() || main.serverCertificateSeen();
    if (main.serverCertificateSeen()) {
      chain = main.serverChain();
    }
    if (negotiated) {
      steps.add(Step.ok("handshake", main.handshakeDone()
          ? "negotiated " + main.protocol() + " with " + main.cipherSuite()
          : "the server sent its certificate, then the handshake ended: " + main.detail()));
    } else {
      Finding f = negotiationFailure(sa, r, main, accepted);
      steps.add(Step.failed("handshake", main.detail()));
      findings.add(f);
    }

    if (!chain.isEmpty()) {
      judgeServer(r, chain, steps, findings, now);
    }
    if (negotiated) {
      clientCertificate(sa, r, main, steps, findings, now);
      plaintext(sa, r, steps, findings);
    }
    return new DoctorReport("connect", target, steps, chain, findings, now);
  }

  private Finding negotiationFailure(InetSocketAddress sa, ConnectRequest r, ProbeResult main, List<String> accepted) {
    List<String> common = new ArrayList<>(r.tlsVersions());
    common.retainAll(accepted);
    if (!accepted.isEmpty() && common.isEmpty()) {
      return new Finding(Cause.PROTOCOL_VERSION, "the client offered " + String.join(", ", r.tlsVersions())
          + "; the server accepts only " + String.join(", ", accepted) + " (" + main.detail() + ")");
    }
    if (main.ending() == Ending.ALERT || main.ending() == Ending.LOCAL_ERROR) {
      ProbeResult any = probe(sa, r, r.tlsVersions(), jdkSuites(), Optional.empty(), false);
      if (any.serverCertificateSeen() || any.handshakeDone()) {
        return new Finding(Cause.NO_SHARED_CIPHER, "with every suite this JDK knows offered, the server picked "
            + (any.cipherSuite() != null ? any.cipherSuite() : "a suite") + " (" + any.protocol()
            + "), which is not among trustmesh's forward-secret AEAD suites (" + String.join(", ", TlsDefaults.CIPHER_SUITES)
            + "); the handshake with those ended: " + main.detail());
      }
    }
    Cause cause = main.alert().flatMap(Cause::ofReceivedAlert).orElse(
        main.ending() == Ending.RESET || main.ending() == Ending.CLOSED ? Cause.CONNECTION_RESET : Cause.HANDSHAKE_FAILURE);
    return new Finding(cause, main.detail());
  }

  private void judgeServer(ConnectRequest r, List<X509Certificate> chain, List<Step> steps, List<Finding> findings,
      Instant now) {
    Optional<List<X509Certificate>> roots = r.bundle().or(() -> r.identity().flatMap(Identity::bundle));
    if (roots.isEmpty()) {
      steps.add(Step.ok("server-chain", "received " + chain.size()
          + " certificate(s); trust not checked: pass --bundle FILE (or --svid-dir with svid_bundle.pem)"));
      return;
    }
    Expectations expect = new Expectations(r.expectId(), r.expectTrustDomain(), r.serverName());
    Judgement j = ChainJudge.judge(chain, roots.get(), Usage.SERVER, expect, now);
    if (j.healthy()) {
      steps.add(Step.ok("server-chain", "verifies against the bundle"
          + j.verification().spiffeId().map(id -> " as " + id).orElse("")
          + " (path: " + j.verification().path().size() + " certificates)"));
    } else {
      steps.add(Step.failed("server-chain", j.findings().get(0).detail()));
      findings.addAll(j.findings());
    }
  }

  private void clientCertificate(InetSocketAddress sa, ConnectRequest r, ProbeResult main, List<Step> steps,
      List<Finding> findings, Instant now) {
    ProbeResult anonymous = r.identity().isPresent()
        ? probe(sa, r, r.tlsVersions(), TlsDefaults.CIPHER_SUITES, Optional.empty(), true) : main;
    boolean requested = main.certificateRequested() || anonymous.certificateRequested();
    boolean required = anonymous.certificateRequested() && anonymous.rejected();
    List<String> issuers = main.acceptableIssuers().isEmpty() ? anonymous.acceptableIssuers() : main.acceptableIssuers();
    steps.add(Step.ok("client-certificate-request", !requested ? "the server does not ask for a client certificate"
        : "the server asks for a client certificate (" + (required ? "required" : "optional") + "); "
        + (issuers.isEmpty() ? "it names no CAs" : "CAs it names: " + String.join("; ", issuers))));
    if (r.identity().isEmpty()) {
      if (required) {
        findings.add(new Finding(Cause.CERTIFICATE_REQUIRED, "no client identity was given and the server refused the"
            + " connection without one: " + anonymous.detail() + when(anonymous)));
        steps.add(Step.failed("client-certificate", "none sent; " + anonymous.detail() + when(anonymous)));
      } else if (main.rejected()) {
        findings.add(new Finding(main.alert().flatMap(Cause::ofReceivedAlert).orElse(Cause.CONNECTION_RESET),
            main.detail() + when(main)));
        steps.add(Step.failed("read-after-handshake", main.detail() + when(main)));
      } else {
        steps.add(Step.ok("read-after-handshake", main.detail()));
      }
      return;
    }
    Identity id = r.identity().get();
    String who = ChainJudge.spiffeIdOf(id.chain().get(0)).map(SpiffeId::toString)
        .orElse(id.chain().get(0).getSubjectX500Principal().getName());
    if (!main.rejected()) {
      steps.add(Step.ok("client-certificate", requested
          ? "the server accepted our certificate " + who + ": " + main.detail()
          : "not asked for, so " + who + " was not sent: " + main.detail()));
      return;
    }
    Optional<Judgement> own = id.bundle().or(() -> r.bundle())
        .map(roots -> ChainJudge.judge(id.chain(), roots, Usage.CLIENT, Expectations.none(), now));
    Optional<Cause> alerted = main.alert().flatMap(Cause::ofReceivedAlert);
    boolean ownVerifies = own.map(Judgement::healthy).orElse(false);
    // BoringSSL (and so trustmesh's sidecar, see proxy/AlertingTrustManager) cannot send
    // access_denied from certificate verification: a verified identity its allow list refuses gets
    // handshake_failure. After our certificate was asked for and sent, and with a chain that does
    // verify as a client certificate, that alert means the policy, not the certificate.
    boolean policyRefusal = main.alert().filter("handshake_failure"::equals).isPresent()
        && main.certificateSent() && ownVerifies;
    Cause cause = policyRefusal ? Cause.ACCESS_DENIED
        : alerted.filter(c -> c != Cause.HANDSHAKE_FAILURE).orElse(Cause.REJECTED_BAD_CERTIFICATE);
    StringBuilder detail = new StringBuilder();
    if (cause == Cause.ACCESS_DENIED) {
      detail.append("denied by the server's allow policy: ");
    }
    detail.append("the server refused our certificate ").append(who).append(": ").append(main.detail()).append(when(main));
    if (policyRefusal) {
      detail.append("; our chain verifies against the bundle as a client certificate, and a trustmesh sidecar"
          + " answers handshake_failure (not access_denied) when its allow list does not admit a verified SPIFFE ID");
    }
    if (!issuers.isEmpty()) {
      detail.append("; the server accepts client certificates from: ").append(String.join("; ", issuers))
          .append("; ours was issued by ").append(id.chain().get(id.chain().size() - 1).getIssuerX500Principal().getName());
    }
    own.filter(j -> !j.healthy()).ifPresent(j ->
        detail.append("; checked here as a client certificate, ours fails too: ").append(j.findings().get(0).detail()));
    findings.add(new Finding(cause, detail.toString()));
    steps.add(Step.failed("client-certificate", detail.toString()));
  }

  /** A port that completed TLS may still let plaintext callers through (PERMISSIVE). */
  private static void plaintext(InetSocketAddress sa, ConnectRequest r, List<Step> steps, List<Finding> findings) {
    Optional<byte[]> answer = PortProbe.plaintextAnswer(sa, r.timeout());
    if (answer.isEmpty()) {
      steps.add(Step.ok("plaintext", "a plaintext request was not let through"));
      return;
    }
    String detail = "a plaintext HTTP request (no TLS, no identity) was let through and answered with "
        + WireBytes.describe(answer.get());
    steps.add(Step.failed("plaintext", detail));
    findings.add(new Finding(Cause.PLAINTEXT_ACCEPTED, detail));
  }

  private static String when(ProbeResult p) {
    if (p.ending() != Ending.ALERT) {
      return "";
    }
    return p.afterHandshake()
        ? " (after the handshake had completed on our side: a TLS 1.3 server judges the client certificate then)"
        : " (during the handshake)";
  }

  private static ProbeResult probe(InetSocketAddress sa, ConnectRequest r, List<String> versions, List<String> suites,
      Optional<Identity> identity, boolean readAfter) {
    HandshakeProbe.Settings s = new HandshakeProbe.Settings(versions, suites, identity, r.serverName(), r.timeout(),
        readAfter ? Optional.of(r.readAfterHandshake()) : Optional.empty());
    return new HandshakeProbe(sa, r.host(), s).run();
  }

  /** Every suite this JDK supports except the unauthenticated and null ones. */
  /**
   * The suites the server accepts with one version, the way sslscan finds them: offer every suite
   * the JDK has, note the one the server picks, offer the rest again, until it picks none. One
   * handshake per accepted suite, plus one.
   */
  private static List<String> acceptedSuites(InetSocketAddress sa, ConnectRequest r, String version, ProbeResult first) {
    List<String> offer = new ArrayList<>(jdkSuites());
    List<String> found = new ArrayList<>();
    ProbeResult p = first;
    while (p.cipherSuite() != null && offer.remove(p.cipherSuite()) && found.size() < MAX_SUITES) {
      found.add(p.cipherSuite());
      if (offer.isEmpty()) {
        break;
      }
      p = probe(sa, r, List.of(version), offer, Optional.empty(), false);
    }
    return found;
  }

  static List<String> jdkSuites() {
    try {
      SSLEngine e = SSLContext.getDefault().createSSLEngine();
      List<String> out = new ArrayList<>();
      for (String s : e.getSupportedCipherSuites()) {
        if (!s.contains("_anon_") && !s.contains("_NULL_") && !s.endsWith("_SCSV") && !s.startsWith("SSL_")) {
          out.add(s);
        }
      }
      return out;
    } catch (NoSuchAlgorithmException e) {
      return TlsDefaults.CIPHER_SUITES;
    }
  }

  private static DoctorReport stop(String target, List<Step> steps, List<Finding> findings, String step, Finding f,
      Instant now) {
    steps.add(Step.failed(step, f.detail()));
    findings.add(f);
    return new DoctorReport("connect", target, steps, List.of(), findings, now);
  }
}
