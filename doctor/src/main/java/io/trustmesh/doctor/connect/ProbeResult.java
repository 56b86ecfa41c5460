package io.trustmesh.doctor.connect;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What one handshake attempt saw, step by step.
 *
 * @param ending how the attempt ended
 * @param handshakeDone whether our side completed the handshake
 * @param afterHandshake whether the ending came after the handshake completed (a TLS 1.3 server
 *     judges the client certificate only then)
 * @param alert the fatal alert the server sent, by its RFC 8446 name
 * @param firstBytes the first bytes the server sent (to recognise SSH, HTTP and garbage)
 */
record ProbeResult(
    Ending ending,
    boolean handshakeDone,
    boolean afterHandshake,
    String protocol,
    String cipherSuite,
    List<X509Certificate> serverChain,
    boolean certificateRequested,
    List<String> acceptableIssuers,
    boolean certificateSent,
    Optional<String> alert,
    byte[] firstBytes,
    String detail) {

  enum Ending {
    /** Handshake done and, if we waited, nothing bad arrived. */
    QUIET,
    /** The server sent application data after the handshake. */
    DATA,
    /** The server sent close_notify or closed the socket. */
    CLOSED,
    /** The server sent a fatal alert. */
    ALERT,
    /** Nothing (more) arrived in time. */
    TIMEOUT,
    /** The connection was reset. */
    RESET,
    /** The server's bytes are not TLS records. */
    NOT_TLS,
    /** Our own TLS stack gave up (e.g. the server chose something we did not offer). */
    LOCAL_ERROR,
    /** The TCP connection itself failed. */
    CONNECT_FAILED
  }

  boolean serverCertificateSeen() {
    return !serverChain.isEmpty();
  }

  boolean rejected() {
    return ending == Ending.ALERT || ending == Ending.RESET || ending == Ending.CLOSED && !handshakeDone;
  }
}
