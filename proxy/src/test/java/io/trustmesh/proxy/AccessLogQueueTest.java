package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.core.time.ManualClock;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The access log is written by a thread of its own from a bounded queue (issue 14 item 6): a slow
 * disk never holds the event loop; what does not fit is dropped and counted; close writes out what
 * is queued. Times come from the sidecar's clock.
 */
class AccessLogQueueTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A file whose first write blocks until released: a disk that has stopped keeping up. */
  static final class StuckWriter extends Writer {
    final StringWriter written = new StringWriter();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean flushed;

    @Override
    public void write(char[] buf, int off, int len) throws IOException {
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      synchronized (written) {
        written.write(buf, off, len);
      }
    }

    @Override
    public void flush() {
      flushed = true;
    }

    @Override
    public void close() {}

    List<String> lines() {
      synchronized (written) {
        return written.toString().lines().toList();
      }
    }
  }

  private static Connection ended(String listener, ManualClock clock) {
    Connection c = new Connection(listener, "inbound", new InetSocketAddress("127.0.0.1", 4242), clock.instant(),
        "spiffe://example.org/ns/prod/sa/backend");
    c.plaintextEstablished();
    clock.advance(Duration.ofMillis(1500));
    c.finish(clock.instant());
    return c;
  }

  @Test
  void aStuckDiskDropsAndCountsLinesInsteadOfBlockingAndCloseWritesTheRest() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-11-30T08:00:00Z"));
    StuckWriter disk = new StuckWriter();
    AtomicInteger dropped = new AtomicInteger();
    AccessLog log = new AccessLog(disk, true, 4, dropped::incrementAndGet);
    try {
      log.write(ended("first", clock)); // taken by the writer thread, which then blocks on the disk
      assertThat(disk.entered.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 10; i++) {
        log.write(ended("queued-or-dropped-" + i, clock)); // returns at once: the caller is the event loop
      }
      assertThat(dropped.get()).isEqualTo(6); // 4 fit in the queue
    } finally {
      disk.release.countDown();
      log.close();
    }
    List<String> lines = disk.lines();
    assertThat(lines).hasSize(5);
    assertThat(disk.flushed).isTrue();
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("listener").asText()).isEqualTo("first");
    assertThat(first.get("start").asText()).isEqualTo("2026-11-30T08:00:00Z");
    assertThat(first.get("time").asText()).isEqualTo("2026-11-30T08:00:01.500Z");
    assertThat(first.get("duration_ms").asDouble()).isEqualTo(1500.0);
    assertThat(first.get("local_spiffe_id").asText()).isEqualTo("spiffe://example.org/ns/prod/sa/backend");
    assertThat(JSON.readTree(lines.get(4)).get("listener").asText()).isEqualTo("queued-or-dropped-3");

    log.write(ended("after-close", clock));
    assertThat(dropped.get()).isEqualTo(7);
  }

  @Test
  void linesAreWrittenWithoutWaitingForClose() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-11-30T08:00:00Z"));
    StuckWriter disk = new StuckWriter();
    disk.release.countDown();
    AccessLog log = new AccessLog(disk, true, 16, () -> {});
    try {
      log.write(ended("web", clock));
      await().atMost(Duration.ofSeconds(10)).until(() -> disk.flushed && disk.lines().size() == 1);
    } finally {
      log.close();
    }
  }
}
