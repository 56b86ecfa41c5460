package io.trustmesh.policy.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads inbound connections from sidecar access logs, one JSON object per line, in either of two
 * formats:
 *
 * <ul>
 *   <li>trustmesh's own ({@code docs/proxy.md}): {@code direction}, {@code peer_address},
 *       {@code peer_spiffe_id}, {@code tls} ({@code plaintext}, {@code tls} or {@code mtls});
 *   <li>Envoy/Istio JSON access logs with {@code downstream_remote_address},
 *       {@code upstream_cluster} ({@code inbound|PORT||...} gives the port) and
 *       {@code downstream_peer_uri_san} (empty means the client presented no certificate).
 * </ul>
 * Lines that are not JSON objects are counted and reported once; they do not stop the read.
 */
public final class AccessLogReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern INBOUND_CLUSTER = Pattern.compile("^inbound\\|(\\d+)\\|");

  /** The entries and how many lines were skipped. */
  public record Result(List<AccessLogEntry> entries, int skipped) {}

  public Result read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadInputException("cannot read access log " + file + ": " + e.getMessage());
    }
    List<AccessLogEntry> out = new ArrayList<>();
    int skipped = 0;
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (IOException e) {
        skipped++;
        continue;
      }
      if (n == null || !n.isObject()) {
        skipped++;
        continue;
      }
      if (n.has("peer_address")) {
        if (!n.path("direction").asText("inbound").equals("inbound")) {
          continue;
        }
        out.add(new AccessLogEntry(n.path("peer_address").asText(""), n.path("peer_spiffe_id").asText(""),
            OptionalInt.empty(), n.path("tls").asText("").equals("plaintext")));
      } else if (n.has("downstream_remote_address")) {
        Matcher m = INBOUND_CLUSTER.matcher(n.path("upstream_cluster").asText(""));
        if (!m.find()) {
          continue; // outbound traffic of this sidecar
        }
        String san = n.path("downstream_peer_uri_san").asText("");
        out.add(new AccessLogEntry(n.path("downstream_remote_address").asText(""), san,
            OptionalInt.of(Integer.parseInt(m.group(1))), san.isEmpty() || san.equals("-")));
      } else {
        skipped++;
      }
    }
    return new Result(out, skipped);
  }
}
