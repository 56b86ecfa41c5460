package io.trustmesh.proxy;

import io.netty.handler.ssl.SslHandler;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.svid.X509Svid;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What one client connection did, filled in as it goes and written once to the access log and the
 * metrics when it ends. Touched only from the connection's event loop.
 */
final class Connection {
  static final String OK = "ok";
  static final String DENIED = "denied";
  static final String HANDSHAKE_FAILED = "handshake_failed";
  static final String UPSTREAM_FAILED = "upstream_failed";
  static final String REJECTED = "rejected";

  final String listener;
  final String direction;
  final String peerAddress;
  final Instant start = Instant.now();
  final long startNanos = System.nanoTime();
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

  Connection(String listener, String direction, SocketAddress peer) {
    this.listener = listener;
    this.direction = direction;
    this.peerAddress = peer instanceof InetSocketAddress a
        ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(peer);
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

  void tlsEstablished(SslHandler ssl, boolean mutual) {
    this.mutual = mutual;
    SSLSession s = ssl.engine().getSession();
    tls = true;
    tlsVersion = s.getProtocol();
    cipherSuite = s.getCipherSuite();
    try {
      Certificate[] peer = s.getPeerCertificates();
      if (peer.length > 0 && peer[0] instanceof X509Certificate leaf) {
        peerSerial = leaf.getSerialNumber().toString(16);
        try {
          peerId = X509Svid.spiffeIdOf(leaf, "peer certificate").toString();
        } catch (RuntimeException e) {
          peerId = null; // a server checked by DNS name need not be an SVID
        }
      }
    } catch (SSLPeerUnverifiedException e) {
      // no peer certificate (outbound simple TLS to a server is always verified; this is defensive)
    }
    established = true;
  }

  void plaintextEstablished() {
    tls = false;
    established = true;
  }

  /** Marks the end; true the first time only. */
  boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
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
    return (System.nanoTime() - startNanos) / 1e6;
  }
}
