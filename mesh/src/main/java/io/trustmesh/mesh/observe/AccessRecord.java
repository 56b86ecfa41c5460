package io.trustmesh.mesh.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * One line of a sidecar's JSON access log (the fields of the proxy's {@code AccessLog}, see
 * {@code docs/proxy.md}): one connection as the sidecar that wrote it saw it. Missing fields read
 * as empty or zero; lines that are not JSON objects are not records.
 */
record AccessRecord(Instant time, String listener, String direction, String peerAddress, String peerSpiffeId,
    String tls, long bytesFromClient, long bytesToClient, double durationMs, String result, String reason,
    String detail) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A longer line is not one the proxy wrote; it is skipped rather than parsed. */
  static final int MAX_LINE = 64 * 1024;

  static Optional<AccessRecord> parse(String line) {
    if (line.isBlank() || line.length() > MAX_LINE) {
      return Optional.empty();
    }
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (n == null || !n.isObject() || !n.has("direction")) {
      return Optional.empty();
    }
    return Optional.of(new AccessRecord(instant(n.path("time").asText("")), n.path("listener").asText(""),
        n.path("direction").asText(""), n.path("peer_address").asText(""), text(n, "peer_spiffe_id"),
        n.path("tls").asText(""), n.path("bytes_from_client").asLong(0), n.path("bytes_to_client").asLong(0),
        n.path("duration_ms").asDouble(0), n.path("result").asText(""), text(n, "reason"), text(n, "detail")));
  }

  boolean ok() {
    return result.equals("ok");
  }

  boolean mtls() {
    return tls.equals("mtls");
  }

  /** The peer's host, without the ephemeral port. */
  String peerHost() {
    String a = peerAddress;
    if (a.startsWith("[")) {
      int end = a.indexOf(']');
      return end > 0 ? a.substring(1, end) : a;
    }
    int colon = a.lastIndexOf(':');
    return colon > 0 && a.indexOf(':') == colon ? a.substring(0, colon) : a;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() ? v.asText() : "";
  }

  private static Instant instant(String raw) {
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}
