package io.trustmesh.mesh.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Connections per service counted from its sidecars' access logs (one JSON line per connection):
 * inbound calls admitted over mTLS, admitted in plaintext, and refused (denied by the allow list or
 * a failed handshake); outbound calls that went through or failed. Reads only what was appended
 * since the last {@link #refresh()}, so a live table can poll it cheaply; a line still being
 * written (no newline yet) waits for the next poll.
 */
public final class TrafficCounts {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one service's sidecars logged so far. */
  public record Counts(long mtls, long plaintext, long refused, long outboundOk, long outboundFailed) {
    static final Counts ZERO = new Counts(0, 0, 0, 0, 0);

    Counts plus(JsonNode e) {
      boolean ok = "ok".equals(e.path("result").asText());
      if ("outbound".equals(e.path("direction").asText())) {
        return ok ? new Counts(mtls, plaintext, refused, outboundOk + 1, outboundFailed)
            : new Counts(mtls, plaintext, refused, outboundOk, outboundFailed + 1);
      }
      String result = e.path("result").asText();
      if (result.equals("denied") || result.equals("handshake_failed")) {
        return new Counts(mtls, plaintext, refused + 1, outboundOk, outboundFailed);
      }
      if (!ok) {
        return this; // upstream_failed, rejected: the caller was not refused by policy
      }
      return "plaintext".equals(e.path("tls").asText()) ? new Counts(mtls, plaintext + 1, refused, outboundOk,
          outboundFailed) : new Counts(mtls + 1, plaintext, refused, outboundOk, outboundFailed);
    }
  }

  private final Map<String, Map<Path, Long>> logs = new HashMap<>();
  private final Map<String, Counts> counts = new HashMap<>();

  /** Counts the lines of {@code accessLog} for {@code service}. */
  public TrafficCounts watch(String service, Path accessLog) {
    logs.computeIfAbsent(service, s -> new HashMap<>()).putIfAbsent(accessLog, 0L);
    counts.putIfAbsent(service, Counts.ZERO);
    return this;
  }

  public synchronized TrafficCounts refresh() {
    for (Map.Entry<String, Map<Path, Long>> svc : logs.entrySet()) {
      for (Map.Entry<Path, Long> log : svc.getValue().entrySet()) {
        log.setValue(readFrom(svc.getKey(), log.getKey(), log.getValue()));
      }
    }
    return this;
  }

  public synchronized Counts of(String service) {
    return counts.getOrDefault(service, Counts.ZERO);
  }

  private long readFrom(String service, Path file, long offset) {
    if (!Files.isRegularFile(file)) {
      return offset;
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long length = f.length();
      if (length <= offset) {
        return length < offset ? 0 : offset; // truncated: start again
      }
      byte[] bytes = new byte[(int) Math.min(length - offset, 4 << 20)];
      f.seek(offset);
      f.readFully(bytes);
      int end = lastNewline(bytes);
      if (end < 0) {
        return offset;
      }
      String text = new String(bytes, 0, end + 1, StandardCharsets.UTF_8);
      Counts c = counts.getOrDefault(service, Counts.ZERO);
      for (String line : text.split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        try {
          c = c.plus(JSON.readTree(line));
        } catch (IOException e) {
          // a damaged line is skipped, not fatal to the table
        }
      }
      counts.put(service, c);
      return offset + end + 1;
    } catch (IOException e) {
      return offset;
    }
  }

  private static int lastNewline(byte[] b) {
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
