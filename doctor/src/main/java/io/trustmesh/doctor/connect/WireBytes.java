package io.trustmesh.doctor.connect;

import io.trustmesh.core.diagnosis.Cause;
import java.nio.charset.StandardCharsets;

/** Recognises what a port speaks from the first bytes it sends. */
final class WireBytes {
  private WireBytes() {}

  /** A TLS record header: content type 20..24, then protocol major version 3. */
  static boolean looksLikeTls(byte[] b) {
    return b.length >= 2 && (b[0] & 0xff) >= 20 && (b[0] & 0xff) <= 24 && b[1] == 3;
  }

  static Cause classify(byte[] b) {
    String head = new String(b, StandardCharsets.ISO_8859_1);
    if (head.startsWith("SSH-")) {
      return Cause.PLAINTEXT_SSH;
    }
    if (head.startsWith("HTTP/")) {
      return Cause.PLAINTEXT_HTTP;
    }
    return Cause.NOT_TLS;
  }

  /** The bytes as a person would want to see them: printable text quoted, else hex. */
  static String describe(byte[] b) {
    StringBuilder text = new StringBuilder();
    boolean printable = true;
    for (byte x : b) {
      int c = x & 0xff;
      if (c == '\r' || c == '\n') {
        break;
      }
      if (c < 0x20 || c > 0x7e) {
        printable = false;
        break;
      }
      text.append((char) c);
    }
    if (printable && text.length() > 0) {
      return "\"" + text + "\"";
    }
    StringBuilder hex = new StringBuilder("bytes");
    for (byte x : b) {
      hex.append(String.format(" %02x", x & 0xff));
    }
    return hex.toString();
  }
}
