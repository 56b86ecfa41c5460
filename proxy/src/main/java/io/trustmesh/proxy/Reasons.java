package io.trustmesh.proxy;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.trustmesh.core.tls.SpiffeTrustManager.PeerRefusedException;
import io.trustmesh.core.verify.Verification;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/** Turns a failed handshake into the words and the metric label a person can act on. */
final class Reasons {
  /** The outcome of a failed handshake. */
  record Verdict(String result, String reason, String code, String peerId) {}

  private Reasons() {}

  static Verdict of(Throwable cause, boolean server) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof PeerRefusedException p) {
        Verification v = p.verification();
        if (v == null) {
          return new Verdict(Connection.HANDSHAKE_FAILED, noCertificate(server), "no_certificate", null);
        }
        if (v.isValid()) {
          return new Verdict(Connection.DENIED, p.getMessage(), "denied",
              v.spiffeId().map(Object::toString).orElse(null));
        }
        return new Verdict(Connection.HANDSHAKE_FAILED, p.getMessage(),
            v.failure().map(f -> f.code()).orElse("other"), null);
      }
      if (t instanceof RefusedException r) {
        return new Verdict(Connection.HANDSHAKE_FAILED, r.getMessage(), r.code(), null);
      }
      if (t instanceof NotSslRecordException) {
        return new Verdict(Connection.HANDSHAKE_FAILED,
            "not a TLS handshake (plaintext or garbage on a TLS port)", "not_tls", null);
      }
      if (t instanceof SslHandshakeTimeoutException) {
        return new Verdict(Connection.HANDSHAKE_FAILED, "handshake timed out", "timeout", null);
      }
    }
    String msg = String.valueOf(cause.getMessage());
    String upper = msg.toUpperCase(Locale.ROOT);
    if (upper.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || upper.contains("CERTIFICATE_REQUIRED")
        || upper.contains("EMPTY CLIENT CERTIFICATE") || upper.contains("NULL CERT CHAIN")) {
      return new Verdict(Connection.HANDSHAKE_FAILED, noCertificate(server), "no_certificate", null);
    }
    if (upper.contains("WRONG_VERSION_NUMBER") || upper.contains("HTTP_REQUEST") || upper.contains("UNSUPPORTED_PROTOCOL")
        || upper.contains("NO_SHARED_CIPHER") || upper.contains("NO_CIPHERS_AVAILABLE")
        || upper.contains("NO APPROPRIATE PROTOCOL") || upper.contains("NO_COMMON_SIGNATURE")) {
      return new Verdict(Connection.HANDSHAKE_FAILED, "protocol mismatch: " + oneLine(msg), "protocol", null);
    }
    if (cause instanceof ClosedChannelException || upper.contains("CLOSED")) {
      return new Verdict(Connection.HANDSHAKE_FAILED, "connection closed during the handshake", "client_closed", null);
    }
    if (upper.contains("TLSV1_ALERT") || upper.contains("SSLV3_ALERT") || upper.contains("RECEIVED FATAL ALERT")) {
      return new Verdict(Connection.HANDSHAKE_FAILED, "peer sent an alert: " + oneLine(msg), "peer_alert", null);
    }
    return new Verdict(Connection.HANDSHAKE_FAILED, oneLine(cause.getClass().getSimpleName() + ": " + msg), "other", null);
  }

  private static String noCertificate(boolean server) {
    return server ? "client presented no certificate" : "server presented no certificate";
  }

  static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  /**
   * A socket error in the words a person reads: the native transport's
   * {@code "finishConnect(..) failed with error(-111): Connection refused: localhost/127.0.0.1:8080"}
   * becomes {@code "Connection refused"} (the caller names the address).
   */
  static String socketError(Throwable cause) {
    return oneLine(String.valueOf(cause.getMessage()))
        .replaceFirst("^\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "")
        .replaceFirst(": [^ :]*/[0-9a-fA-F.:\\[\\]]+:\\d+$", "");
  }
}
