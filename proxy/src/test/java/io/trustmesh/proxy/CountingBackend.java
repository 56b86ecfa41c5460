package io.trustmesh.proxy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A loopback HTTP backend that answers {@code hello from backend} and counts the requests it received. */
final class CountingBackend implements AutoCloseable {
  final HttpServer server;
  final AtomicInteger requests = new AtomicInteger();
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  CountingBackend() throws IOException {
    server = HttpServer.create(new InetSocketAddress(Peers.LOOPBACK, 0), 64);
    server.createContext("/", ex -> {
      requests.incrementAndGet();
      try (InputStream in = ex.getRequestBody()) {
        in.readAllBytes();
      }
      byte[] body = "hello from backend\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.setExecutor(executor);
    server.start();
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
