package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * For 12 s of continuous requests, on one keep-alive connection and on new connections, the
 * sidecar's SVID files are replaced 10 times (once a second): no request fails, the connection
 * opened before the first rotation still works after the last, and new connections see the newest
 * serial.
 */
class RotationUnderLoadTest {
  @TempDir Path tmp;
  Pki pki;
  SpiffeId serverId;
  HttpServer backend;
  FileX509Source source;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    pki = Pki.create("example.org");
    serverId = pki.id("ns", "prod", "sa", "backend");
    pki.write(pki.svid(serverId), tmp.resolve("server"));
    backend = Peers.backend();
    source = TestSidecars.source(tmp.resolve("server"));
    sidecar = TestSidecars.strictWeb(backend.getAddress(), pki.td, tmp.resolve("access.log"), Limits.DEFAULT, source);
  }

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, source);
    Peers.stop(backend);
  }

  @Test
  void tenRotationsUnderLoadFailNoRequest() throws Exception {
    int port = sidecar.address("web").getPort();
    MtlsClient client = new MtlsClient(pki.svid(pki.id("ns", "prod", "sa", "frontend")), pki.root, serverId);
    MtlsClient.Conn keepAlive = client.connect(port);
    String firstSerial = keepAlive.serverSerial();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong ok = new AtomicLong();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Set<String> serialsSeen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<String> issued = new ArrayList<>();
    try {
      List<Future<?>> load = new ArrayList<>();
      load.add(pool.submit(() -> {
        while (running.get()) {
          try {
            assertThat(keepAlive.get()).isEqualTo("hello from backend\n");
            ok.incrementAndGet();
          } catch (Throwable e) {
            failures.add("keep-alive: " + e);
          }
        }
      }));
      for (int i = 0; i < 2; i++) {
        load.add(pool.submit(() -> {
          while (running.get()) {
            try (MtlsClient.Conn c = client.connect(port)) {
              serialsSeen.add(c.serverSerial());
              assertThat(c.get()).isEqualTo("hello from backend\n");
              ok.incrementAndGet();
            } catch (Throwable e) {
              failures.add("new connection: " + e);
            }
          }
        }));
      }
      long startNanos = System.nanoTime();
      for (int r = 1; r <= 10; r++) {
        // one rotation a second, the first after 0.5 s: the files are watched, so each is seen
        long due = startNanos + TimeUnit.MILLISECONDS.toNanos(500 + 1000L * (r - 1));
        await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(10))
            .until(() -> System.nanoTime() >= due);
        X509Svid next = pki.svid(serverId);
        pki.write(next, tmp.resolve("server"));
        issued.add(next.leaf().getSerialNumber().toString(16));
      }
      String last = issued.get(issued.size() - 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> serialsSeen.contains(last));
      long end = startNanos + TimeUnit.SECONDS.toNanos(12);
      await().pollInterval(Duration.ofMillis(50)).atMost(Duration.ofSeconds(17)).until(() -> System.nanoTime() >= end);
      running.set(false);
      for (Future<?> f : load) {
        f.get(20, TimeUnit.SECONDS);
      }

      assertThat(failures).isEmpty();
      assertThat(ok.get()).isGreaterThan(100);
      assertThat(keepAlive.serverSerial()).as("the pre-rotation connection is untouched").isEqualTo(firstSerial);
      assertThat(keepAlive.get()).isEqualTo("hello from backend\n");
      try (MtlsClient.Conn fresh = client.connect(port)) {
        assertThat(fresh.serverSerial()).isEqualTo(last);
        assertThat(fresh.get()).isEqualTo("hello from backend\n");
      }
      assertThat(serialsSeen).as("new connections followed the rotations").hasSizeGreaterThanOrEqualTo(5);
    } finally {
      running.set(false);
      pool.shutdownNow();
      keepAlive.close();
    }
  }
}
