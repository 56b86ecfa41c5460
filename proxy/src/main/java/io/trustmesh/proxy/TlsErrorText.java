package io.trustmesh.proxy;

import io.netty.handler.ssl.NotSslRecordException;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.proxy.Reasons.Verdict;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where the proxy reads a TLS library's error text. BoringSSL (through
 * netty-tcnative) and the JDK report an alert received from the peer, and their own negotiation
 * failures, only as text: {@code error:1000045c:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED},
 * {@code Received fatal alert: unknown_ca}, {@code NO_SHARED_CIPHER}. Our own verifier's refusals
 * never come through here: the authorize stage reads them from the handshake's {@link PeerVerdict}.
 */
final class TlsErrorText {
  /** BoringSSL names a received alert SSLV3_ALERT_X or TLSV1_ALERT_X (TLSV1_X for a few). */
  private static final Pattern BORINGSSL_ALERT = Pattern.compile("\\b(?:SSLV3|TLSV1)_(?:ALERT_)?([A-Z_]+)\\b");
  private static final Pattern JDK_ALERT = Pattern.compile("Received fatal alert: ([a-z_]+)");

  private TlsErrorText() {}

  static Optional<Verdict> of(Throwable failure, boolean server) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    String text = all.toString();
    return receivedAlert(text).map(alert -> received(alert, server)).or(() -> local(text, server));
  }

  /** The RFC 8446 name of a fatal alert the peer sent, if the text reports one. */
  static Optional<String> receivedAlert(String text) {
    Matcher jdk = JDK_ALERT.matcher(text);
    if (jdk.find()) {
      return Optional.of(jdk.group(1));
    }
    Matcher b = BORINGSSL_ALERT.matcher(text);
    if (b.find()) {
      return Optional.of(b.group(1).toLowerCase(Locale.ROOT));
    }
    return Optional.empty();
  }

  private static Verdict received(String alert, boolean server) {
    String detail = (server ? "the client" : "the server") + " sent the fatal alert " + alert;
    return Reasons.failed(Cause.ofReceivedAlert(alert).orElse(Cause.HANDSHAKE_FAILURE), detail);
  }

  private static Optional<Verdict> local(String text, boolean server) {
    String upper = text.toUpperCase(Locale.ROOT);
    Cause c;
    if (upper.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || upper.contains("EMPTY CLIENT CERTIFICATE")
        || upper.contains("NULL CERT CHAIN")) {
      c = Cause.PEER_NO_CERTIFICATE;
    } else if (upper.contains("HTTP_REQUEST")) {
      c = Cause.PLAINTEXT_HTTP;
    } else if (upper.contains("WRONG_VERSION_NUMBER")) {
      c = Cause.NOT_TLS;
    } else if (upper.contains("UNSUPPORTED_PROTOCOL") || upper.contains("NO_SUPPORTED_VERSIONS_ENABLED")
        || upper.contains("NO APPROPRIATE PROTOCOL")) {
      c = Cause.PROTOCOL_VERSION;
    } else if (upper.contains("NO_SHARED_CIPHER") || upper.contains("NO_CIPHERS_AVAILABLE")
        || upper.contains("NO_COMMON_SIGNATURE") || upper.contains("NO CIPHER SUITES IN COMMON")) {
      c = Cause.NO_SHARED_CIPHER;
    } else {
      return Optional.empty();
    }
    if (c == Cause.PEER_NO_CERTIFICATE) {
      return Optional.of(Reasons.failed(c, (server ? "the client" : "the server") + " presented no certificate"));
    }
    // "error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER" -> "NO_SHARED_CIPHER"
    return Optional.of(Reasons.failed(c, text.lines().findFirst().orElse("").replaceFirst("^error:.*:", "").trim()));
  }

  /** The first line of what a non-TLS peer sent, as printable text (Netty reports it in hex). */
  static String firstBytes(NotSslRecordException e) {
    String msg = String.valueOf(e.getMessage());
    int colon = msg.lastIndexOf(": ");
    String hex = colon < 0 ? "" : msg.substring(colon + 2).trim();
    if (hex.length() % 2 != 0 || !hex.matches("[0-9a-fA-F]*")) {
      return "";
    }
    byte[] bytes = HexFormat.of().parseHex(hex.length() > 120 ? hex.substring(0, 120) : hex);
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      if (b == '\r' || b == '\n') {
        break;
      }
      s.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
    }
    return s.toString();
  }
}
