package io.trustmesh.proxy;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.trustmesh.core.diagnosis.Cause;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Turns a failed handshake into a {@link Cause} (the reason code doctor uses too) and the
 * particulars of this connection, when our verifier did not decide it: a refusal of ours reaches
 * the authorize stage as the verifier's own {@link PeerVerdict}. What is left happened inside the
 * TLS library (no certificate, no shared cipher, an alert the peer sent, bytes that are not TLS),
 * and the library reports it only as an exception type or as text (see {@link TlsErrorText}).
 */
final class Reasons {
  /** The outcome of a failed handshake: the access-log result, the cause, the particulars. */
  record Verdict(String result, Cause cause, String detail, String peerId) {}

  private Reasons() {}

  /**
   * @param server true when we are the TLS server (inbound), so "the peer" is the client
   */
  static Verdict of(Throwable failure, boolean server) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RefusedException r) {
        return r.verdict().refusal();
      }
      if (t instanceof NotSslRecordException n) {
        return notTls(n, server);
      }
      if (t instanceof SslHandshakeTimeoutException) {
        return failed(Cause.NO_RESPONSE, "handshake timed out");
      }
    }
    Optional<Verdict> fromText = TlsErrorText.of(failure, server);
    if (fromText.isPresent()) {
      return fromText.get();
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ClosedChannelException || t instanceof IOException && !(t instanceof SSLException)) {
        return failed(Cause.CONNECTION_RESET, (server ? "the client" : "the server")
            + " closed the connection during the handshake");
      }
    }
    return failed(Cause.HANDSHAKE_FAILURE, oneLine(failure.getClass().getSimpleName() + ": " + failure.getMessage()));
  }

  private static Verdict notTls(NotSslRecordException n, boolean server) {
    String first = TlsErrorText.firstBytes(n);
    String who = server ? "the client sent" : "the server answered with";
    if (first.startsWith("SSH-")) {
      return failed(Cause.PLAINTEXT_SSH, who + " \"" + first + "\"");
    }
    if (first.matches("^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE|PRI) .*|^HTTP/.*")) {
      return failed(Cause.PLAINTEXT_HTTP, who + " \"" + first + "\"");
    }
    return failed(Cause.NOT_TLS, "not a TLS handshake: " + who + " bytes that are not TLS"
        + (first.isEmpty() ? "" : " (\"" + first + "\")"));
  }

  static Verdict failed(Cause cause, String detail) {
    return new Verdict(Connection.HANDSHAKE_FAILED, cause, detail, null);
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
