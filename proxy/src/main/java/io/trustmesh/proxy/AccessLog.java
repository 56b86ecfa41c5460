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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One JSON object per line per connection: who connected, how (mtls or plaintext, TLS version and
 * suite), what it moved and how it ended. Plaintext clients on a permissive port appear with
 * {@code "tls":"plaintext"}, so a move to strict can be planned from the log.
 *
 * <p>The last stage of the pipeline, off the event loop: a connection's line is built when it ends
 * and queued; a thread of its own writes the queue out and flushes when it has caught up. The queue
 * is bounded ({@value #DEFAULT_CAPACITY} lines): when the disk cannot keep up a line is dropped and
 * counted ({@code trustmesh_proxy_access_log_dropped_total}) rather than the data path waiting for
 * it. {@link #close()} writes what is queued, flushes and closes.
 */
final class AccessLog implements AutoCloseable {
  static final int DEFAULT_CAPACITY = 8192;

  /** Jackson, loaded with the first access log: {@link #open} runs on every sidecar start, most without one. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final ObjectNode STOP = MAPPER.createObjectNode();
  }

  private final Writer out;
  private final boolean closeOut;
  private final BlockingQueue<ObjectNode> queue;
  private final Runnable onDrop;
  private final Thread writer;
  private volatile boolean closed;

  AccessLog(Writer out, boolean closeOut, int capacity, Runnable onDrop) {
    this.out = out;
    this.closeOut = closeOut;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.onDrop = onDrop;
    this.writer = new Thread(this::writeQueued, "trustmesh-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** Opens {@code where} (a path, or {@code -} for standard output); {@code onDrop} counts lines not written. */
  static Optional<AccessLog> open(Optional<String> where, Runnable onDrop) {
    if (where.isEmpty()) {
      return Optional.empty();
    }
    String w = where.get();
    if (w.equals("-")) {
      return Optional.of(new AccessLog(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)),
          false, DEFAULT_CAPACITY, onDrop));
    }
    try {
      Path p = Path.of(w);
      if (p.getParent() != null) {
        Files.createDirectories(p.getParent());
      }
      return Optional.of(new AccessLog(Files.newBufferedWriter(p, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), true,
          DEFAULT_CAPACITY, onDrop));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open access log " + w + ": " + e.getMessage(), e);
    }
  }

  static ObjectNode entry(Connection c) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("time", String.valueOf(c.end));
    n.put("start", c.start.toString());
    n.put("listener", c.listener);
    n.put("direction", c.direction);
    n.put("peer_address", c.peerAddress());
    n.put("peer_spiffe_id", c.peerId);
    n.put("peer_serial", c.peerSerial);
    n.put("local_spiffe_id", c.localId);
    n.put("tls", c.tlsLabel());
    n.put("tls_version", c.tlsVersion);
    n.put("tls_cipher", c.cipherSuite);
    if (c.resumed) {
      n.put("tls_resumed", true);
    }
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

  /** Queues the line of a connection that ended; never blocks the caller (the event loop). */
  void write(Connection c) {
    if (closed || !queue.offer(entry(c))) {
      onDrop.run();
    }
  }

  private void writeQueued() {
    List<ObjectNode> batch = new ArrayList<>();
    boolean stopping = false;
    while (!stopping) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch);
      for (ObjectNode n : batch) {
        if (n == Json.STOP) {
          stopping = true;
          continue;
        }
        try {
          out.write(Json.MAPPER.writeValueAsString(n));
          out.write('\n');
        } catch (IOException e) {
          // a full disk must not stop the data plane; the metrics still count the connection
        }
      }
      batch.clear();
      if (queue.isEmpty()) {
        try {
          out.flush();
        } catch (IOException e) {
          // as above
        }
      }
    }
  }

  /** Writes every queued line, flushes, and closes the file; later lines are dropped and counted. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      queue.put(Json.STOP);
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
