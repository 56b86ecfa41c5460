package io.trustmesh.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.diagnosis.Cause;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * One JSON object per line per connection: who connected, how (mtls or plaintext, TLS version and
 * suite), what it moved and how it ended. Plaintext clients on a permissive port appear with
 * {@code "tls":"plaintext"}, so a move to strict can be planned from the log.
 */
final class AccessLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Writer out;
  private final boolean closeOut;

  private AccessLog(Writer out, boolean closeOut) {
    this.out = out;
    this.closeOut = closeOut;
  }

  static Optional<AccessLog> open(Optional<String> where) {
    if (where.isEmpty()) {
      return Optional.empty();
    }
    String w = where.get();
    if (w.equals("-")) {
      return Optional.of(new AccessLog(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)),
          false));
    }
    try {
      Path p = Path.of(w);
      if (p.getParent() != null) {
        Files.createDirectories(p.getParent());
      }
      return Optional.of(new AccessLog(Files.newBufferedWriter(p, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), true));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open access log " + w + ": " + e.getMessage(), e);
    }
  }

  static ObjectNode entry(Connection c) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", Instant.now().toString());
    n.put("start", c.start.toString());
    n.put("listener", c.listener);
    n.put("direction", c.direction);
    n.put("peer_address", c.peerAddress);
    n.put("peer_spiffe_id", c.peerId);
    n.put("peer_serial", c.peerSerial);
    n.put("tls", c.tlsLabel());
    n.put("tls_version", c.tlsVersion);
    n.put("tls_cipher", c.cipherSuite);
    n.put("bytes_from_client", c.bytesFromClient);
    n.put("bytes_to_client", c.bytesToClient);
    n.put("duration_ms", Math.round(c.durationMillis() * 1000) / 1000.0);
    n.put("result", c.result);
    if (c.cause != null) {
      // the code is for machines (bounded, the same as doctor's); the detail for the person on call
      n.put("reason", c.cause.code());
      n.put("detail", sentence(c) + (c.detail == null ? "" : " " + capitalized(c.detail) + "."));
    } else if (c.reason != null) {
      n.put("reason", c.reason);
    }
    return n;
  }

  /** The cause's sentence; doctor's no_response speaks of a silent server, so inbound the particulars say it. */
  private static String sentence(Connection c) {
    return c.cause == Cause.NO_RESPONSE && c.direction.equals("inbound") ? "The handshake stalled." : c.cause.sentence();
  }

  private static String capitalized(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  void write(Connection c) {
    String line;
    try {
      line = JSON.writeValueAsString(entry(c));
    } catch (IOException e) {
      return;
    }
    synchronized (this) {
      try {
        out.write(line);
        out.write('\n');
        out.flush();
      } catch (IOException e) {
        // a full disk must not stop the data plane; the metrics still count the connection
      }
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.flush();
      if (closeOut) {
        out.close();
      }
    } catch (IOException e) {
      // closing anyway
    }
  }
}
