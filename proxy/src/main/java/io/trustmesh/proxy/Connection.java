package io.trustmesh.proxy;

import io.trustmesh.core.diagnosis.Cause;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLSession;

/**
 * What one client connection did, filled in as it goes and written once to the access log and the
 * metrics when it ends. Touched only from the connection's event loop. Its start and end are read
 * from the sidecar's clock.
 */
final class Connection {
  static final String OK = "ok";
  static final String DENIED = "denied";
  static final String HANDSHAKE_FAILED = "handshake_failed";
  static final String UPSTREAM_FAILED = "upstream_failed";
  static final String REJECTED = "rejected";

  final String listener;
  final String direction;
  private final SocketAddress peer;
  private String peerAddress;
  final Instant start;
  /** The SPIFFE ID this sidecar serves as (ours); null when it holds no identity. */
  final String localId;
  Instant end;
  /** True when the TLS session was resumed rather than a full handshake. */
  boolean resumed;
  boolean tls;
  boolean mutual;
  String tlsVersion;
  String cipherSuite;
  String peerId;
  String peerSerial;
  long bytesFromClient;
  long bytesToClient;
  boolean established;
  String result;
  String reason;
  /** Why a handshake failed or was refused (doctor's reason code); null otherwise. */
  Cause cause;
  /** The particulars of {@link #cause} for this connection, in words. */
  String detail;
  private boolean finished;

  Connection(String listener, String direction, SocketAddress peer, Instant start, String localId) {
    this.start = start;
    this.localId = localId;
    this.listener = listener;
    this.direction = direction;
    this.peer = peer;
  }

  /**
   * The client's address as {@code ip:port}, or for a unix socket's client (which has no address of
   * its own) the socket it came through; formatted when first asked (the access log, a refusal), not
   * per accept.
   */
  String peerAddress() {
    if (peerAddress == null) {
      peerAddress = peer instanceof InetSocketAddress a
          ? a.getAddress().getHostAddress() + ":" + a.getPort()
          : peer instanceof UnixDomainSocketAddress u ? Addresses.UNIX + u.getPath() : String.valueOf(peer);
    }
    return peerAddress;
  }

  /** Records the first failure only; later ones are consequences. */
  void fail(String result, String reason) {
    if (this.result == null) {
      this.result = result;
      this.reason = reason;
    }
  }

  /** Records a failure that has a cause in doctor's taxonomy; the first failure only. */
  void fail(String result, Cause cause, String detail) {
    if (this.result == null) {
      this.result = result;
      this.cause = cause;
      this.detail = detail;
    }
  }

  /** The handshake is done and our verifier admitted the peer: from its verdict, not a second parse of the chain. */
  void tlsEstablished(SSLSession s, PeerVerdict peer, boolean mutual, boolean resumed) {
    this.mutual = mutual;
    this.resumed = resumed;
    tls = true;
    tlsVersion = s.getProtocol();
    cipherSuite = s.getCipherSuite();
    peerId = peer.peerId();
    if (peer.leaf() != null) {
      peerSerial = peer.leaf().getSerialNumber().toString(16);
    }
    established = true;
  }

  void plaintextEstablished() {
    tls = false;
    established = true;
  }

  /** Marks the end; true the first time only. */
  boolean finish(Instant at) {
    if (finished) {
      return false;
    }
    finished = true;
    end = at;
    if (result == null) {
      if (established) {
        result = OK;
      } else {
        result = HANDSHAKE_FAILED;
        cause = Cause.CONNECTION_RESET;
        detail = "the client closed the connection before the handshake completed";
      }
    }
    return true;
  }

  String tlsLabel() {
    return tls ? (mutual ? "mtls" : "tls") : "plaintext";
  }

  double durationMillis() {
    return end == null ? 0 : Duration.between(start, end).toNanos() / 1e6;
  }
}
