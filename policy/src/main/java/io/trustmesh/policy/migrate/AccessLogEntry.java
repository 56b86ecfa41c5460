package io.trustmesh.policy.migrate;

import java.util.OptionalInt;

/**
 * One inbound connection from a sidecar's access log, reduced to what a migration needs: who
 * connected (address, and identity if mTLS), on which local port if the log says, and whether it
 * was plaintext.
 */
public record AccessLogEntry(String clientAddress, String clientIdentity, OptionalInt port, boolean plaintext) {
  /** The client's host without the ephemeral source port. */
  public String clientHost() {
    String a = clientAddress;
    if (a.startsWith("[")) {
      int end = a.indexOf(']');
      return end > 0 ? a.substring(1, end) : a;
    }
    int colon = a.lastIndexOf(':');
    return colon > 0 && a.indexOf(':') == colon ? a.substring(0, colon) : a;
  }
}
