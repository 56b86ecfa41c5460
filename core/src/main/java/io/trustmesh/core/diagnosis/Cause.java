package io.trustmesh.core.diagnosis;

import io.trustmesh.core.verify.Failure;
import java.util.Locale;
import java.util.Optional;

/**
 * Why a TLS connection between two workloads failed, as one bounded reason code with a sentence a
 * person can read and the fix that usually applies. Shared by {@code trustmesh doctor} (which
 * probes a connection from the client side) and the sidecar (which sees both sides), so that a
 * log line, a metric label and a doctor report name a failure the same way.
 *
 * <p>The names are written from the point of view of whoever reports: {@code peer_*} codes judge
 * the certificate the other side presented (decided by {@link
 * io.trustmesh.core.verify.X509Verifier}); {@code rejected_*}, {@code certificate_required} and
 * {@code access_denied} say that the other side refused <em>our</em> certificate, as told by the TLS
 * alert it sent (RFC 8446 §6.2 names). The set is closed: adding a value is a change to every
 * dashboard that groups by it.
 *
 * <pre>{@code
 * Cause c = Cause.of(verification.failure().orElseThrow());  // peer_cert_expired
 * log.info("reason={} {}", c.code(), c.sentence());
 * }</pre>
 */
public enum Cause {
  // -- reaching the port
  UNKNOWN_HOST("unknown_host", "The host name does not resolve.",
      "Check the spelling of the host and the DNS (or /etc/hosts) the client uses."),
  CONNECTION_REFUSED("connection_refused", "Nothing is listening on that port (connection refused).",
      "Start the service or its sidecar, or correct the port; check that it listens on this address, not only on 127.0.0.1."),
  CONNECT_TIMEOUT("connect_timeout", "The TCP connection timed out: packets are dropped on the way or the host is down.",
      "Check that the host is up and that firewalls, security groups or network policies allow this port."),
  HOST_UNREACHABLE("host_unreachable", "There is no route to the host.",
      "Check the address and the routes or network policy between the two hosts."),
  NO_RESPONSE("no_response", "The port accepts connections but never answers the TLS ClientHello.",
      "The service is hung or speaks a protocol in which the client talks first without TLS; check its process and port mapping."),
  CONNECTION_RESET("connection_reset", "The peer closed or reset the connection during the handshake without a TLS alert.",
      "Read the peer's log at the time of the attempt; a load balancer or firewall in between may also cut TLS it cannot inspect."),
  // -- the port does not speak TLS
  PLAINTEXT_HTTP("plaintext_http", "The port speaks plaintext HTTP, not TLS.",
      "Use the TLS port, or put the service behind the trustmesh sidecar in STRICT mode; a client that needs plaintext must use http://."),
  PLAINTEXT_SSH("plaintext_ssh", "The port is an SSH server, not TLS.",
      "Point the client at the service's TLS port; this one belongs to sshd."),
  NOT_TLS("not_tls", "The port answers with bytes that are not TLS.",
      "Check which program owns the port (ss -ltnp) and point the client at the TLS listener."),
  PLAINTEXT_ACCEPTED("plaintext_accepted", "The port speaks mTLS but also lets plaintext through (PERMISSIVE): a caller without an identity reaches the service.",
      "Make the port STRICT once every caller uses mTLS ('trustmesh migrate plan' lists the plaintext callers the sidecars saw)."),
  // -- negotiation
  PROTOCOL_VERSION("protocol_version", "Client and server have no TLS version in common.",
      "Enable TLS 1.3 on both sides (and TLS 1.2 where an old peer needs it); trustmesh speaks 1.3 and 1.2."),
  NO_SHARED_CIPHER("no_shared_cipher", "Client and server have no cipher suite in common.",
      "Enable ECDHE with AES-GCM or ChaCha20-Poly1305 on the server (TLS 1.3 suites need no setting); drop CBC and RSA key exchange only."),
  HANDSHAKE_FAILURE("handshake_failure", "The peer aborted the handshake without a more precise reason.",
      "Read the peer's log for the attempt; compare its TLS versions, suites and certificate settings with the client's."),
  // -- the certificate the other side presented
  PEER_NO_CERTIFICATE("peer_no_certificate", "The peer presented no certificate.",
      "Give the peer an identity (an X.509-SVID from the agent, or --cert/--key)."),
  PEER_CERT_EXPIRED("peer_cert_expired", "The peer's certificate has expired.",
      "Renew the peer's certificate (check that its agent or cert-manager is running and rotating), and check the clocks of both hosts."),
  PEER_CERT_NOT_YET_VALID("peer_cert_not_yet_valid", "The peer's certificate is not valid yet: a clock is wrong or it was issued in the future.",
      "Synchronise the clocks of both hosts and of the CA (NTP); reissue the certificate if the CA's clock was ahead."),
  PEER_UNKNOWN_AUTHORITY("peer_unknown_authority", "The peer's certificate was issued by an authority the trust bundle does not hold.",
      "Give the verifying side the bundle of the CA that issued the peer's certificate (or federate the trust domains); check that both sides use the same, current root."),
  PEER_CHAIN_INCOMPLETE("peer_chain_incomplete", "The peer sent its certificate without the intermediate CA needed to reach a trusted root.",
      "Configure the peer to send its full chain (leaf, then every intermediate), e.g. the whole svid.pem rather than only the first certificate."),
  PEER_CHAIN_OUT_OF_ORDER("peer_chain_out_of_order", "The peer sent its chain out of order; strict TLS stacks refuse it.",
      "Serve the chain in order: the leaf first, then the certificate that issued it, and so on up to (not including) the root."),
  PEER_NAME_CONSTRAINTS("peer_name_constraints", "The peer's certificate names an identity its issuing CA is not allowed to certify (name constraints).",
      "Issue the peer's certificate from a CA whose name constraints permit that SPIFFE ID or DNS name, or fix the name."),
  PEER_WRONG_USAGE("peer_wrong_usage", "The peer's certificate is not meant for this role (extended key usage or key usage).",
      "Reissue the peer's certificate with serverAuth (for servers) and clientAuth (for clients) and digitalSignature; trustmesh workload SVIDs carry both."),
  PEER_CERT_INVALID("peer_cert_invalid", "The peer's certificate chain is invalid.",
      "Reissue the peer's certificate from the trustmesh CA; the detail says which rule it breaks."),
  PEER_ID_MISMATCH("peer_id_mismatch", "The peer's SPIFFE ID is not the one expected.",
      "Connect to the right service, or correct the expected SPIFFE ID or trust domain (the registration entry of the peer decides its ID)."),
  PEER_NAME_MISMATCH("peer_name_mismatch", "The peer's certificate does not cover the DNS name that was asked for.",
      "Add the name to the peer's certificate (a DNS SAN in its registration entry) or connect by a name it carries."),
  KEY_MISMATCH("key_mismatch", "The private key does not belong to the certificate.",
      "Pair the certificate with its own key (svid.pem with svid_key.pem from the same rotation); a half-finished copy mixes old and new."),
  PEER_NOT_ALLOWED("peer_not_allowed", "The peer authenticated, but the allow policy does not admit its SPIFFE ID.",
      "Add the peer's SPIFFE ID to the allow list, if it should be admitted."),
  // -- the other side refused our certificate (the alert it sent)
  CERTIFICATE_REQUIRED("certificate_required", "The peer requires a client certificate and none was sent.",
      "Give the client an identity: --svid-dir of the agent's file sink, --cert/--key, or run it behind the trustmesh sidecar."),
  REJECTED_UNKNOWN_CA("rejected_unknown_ca", "The peer does not trust the CA that issued our certificate (alert unknown_ca).",
      "Add our trust domain's bundle to the peer (federation), or get our certificate from the CA the peer trusts."),
  REJECTED_CERTIFICATE_EXPIRED("rejected_certificate_expired", "The peer refused our certificate as expired (alert certificate_expired).",
      "Renew our certificate (is the agent rotating it?) and check both clocks."),
  REJECTED_UNSUPPORTED_CERTIFICATE("rejected_unsupported_certificate", "The peer refused our certificate's purpose or type, usually a missing clientAuth extended key usage (alert unsupported_certificate).",
      "Reissue our certificate with extendedKeyUsage clientAuth (trustmesh workload SVIDs carry serverAuth and clientAuth)."),
  REJECTED_BAD_CERTIFICATE("rejected_bad_certificate", "The peer refused our certificate (alert bad_certificate or certificate_unknown).",
      "Check our certificate with 'trustmesh doctor files' against the peer's bundle; the peer's log says which rule failed."),
  REJECTED_SIGNATURE("rejected_signature", "The peer could not verify a signature of ours: our private key does not match our certificate, or our chain was signed by another key than the CA of that name the peer trusts (alert decrypt_error).",
      "Use the private key that belongs to the certificate (check with 'trustmesh doctor files --cert F --key F'), and check that both sides hold the same, current root."),
  ACCESS_DENIED("access_denied", "The peer authenticated us but its policy does not allow our identity (alert access_denied).",
      "Ask the peer's owner to add our SPIFFE ID to its allow list (the sidecar's allow rules), or use the identity it expects.");

  /** The reason code for a connection that succeeded, for metrics that label every outcome. */
  public static final String OK = "ok";

  private final String code;
  private final String sentence;
  private final String fix;

  Cause(String code, String sentence, String fix) {
    this.code = code;
    this.sentence = sentence;
    this.fix = fix;
  }

  /** A stable lowercase code for logs, JSON and metric labels, e.g. {@code peer_cert_expired}. */
  public String code() {
    return code;
  }

  /** One sentence saying what went wrong, without the particulars of this connection. */
  public String sentence() {
    return sentence;
  }

  /** What usually fixes it, in plain words. */
  public String fix() {
    return fix;
  }

  /** The cause for a chain the verifier refused. */
  public static Cause of(Failure failure) {
    return switch (failure) {
      case EXPIRED -> PEER_CERT_EXPIRED;
      case NOT_YET_VALID -> PEER_CERT_NOT_YET_VALID;
      case UNKNOWN_AUTHORITY, NO_BUNDLE -> PEER_UNKNOWN_AUTHORITY;
      case NAME_CONSTRAINTS_VIOLATED -> PEER_NAME_CONSTRAINTS;
      case KEY_USAGE, EXTENDED_KEY_USAGE -> PEER_WRONG_USAGE;
      case NAME_MISMATCH -> PEER_NAME_MISMATCH;
      case SPIFFE_ID_MISMATCH -> PEER_ID_MISMATCH;
      default -> PEER_CERT_INVALID;
    };
  }

  /**
   * The cause for a fatal alert received from the peer, by its RFC 8446 name (as JSSE prints it,
   * e.g. {@code unknown_ca}); empty for an alert that says nothing about our certificate or the
   * negotiation.
   */
  public static Optional<Cause> ofReceivedAlert(String alert) {
    return Optional.ofNullable(switch (alert.toLowerCase(Locale.ROOT)) {
      case "certificate_required" -> CERTIFICATE_REQUIRED;
      case "unknown_ca" -> REJECTED_UNKNOWN_CA;
      case "certificate_expired" -> REJECTED_CERTIFICATE_EXPIRED;
      case "unsupported_certificate" -> REJECTED_UNSUPPORTED_CERTIFICATE;
      case "bad_certificate", "certificate_unknown", "certificate_revoked" -> REJECTED_BAD_CERTIFICATE;
      case "decrypt_error" -> REJECTED_SIGNATURE;
      case "access_denied" -> ACCESS_DENIED;
      case "protocol_version" -> PROTOCOL_VERSION;
      case "handshake_failure", "insufficient_security" -> HANDSHAKE_FAILURE;
      default -> null;
    });
  }

  /** Looks a cause up by its code. */
  public static Optional<Cause> ofCode(String code) {
    for (Cause c : values()) {
      if (c.code.equals(code)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
