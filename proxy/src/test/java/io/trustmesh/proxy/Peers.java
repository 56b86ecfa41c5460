package io.trustmesh.proxy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Real peers for the tests: an HTTP backend on loopback, curl, and running processes. */
final class Peers {
  private Peers() {}

  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  /** A loopback HTTP server answering {@code hello from backend} on every path. */
  static HttpServer backend() throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 128);
    s.createContext("/", ex -> {
      try (InputStream in = ex.getRequestBody()) {
        in.readAllBytes();
      }
      byte[] body = "hello from backend\n".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/plain");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    s.setExecutor(Executors.newFixedThreadPool(4));
    s.start();
    return s;
  }

  static void stop(HttpServer s) {
    if (s != null) {
      s.stop(0);
      ((java.util.concurrent.ExecutorService) s.getExecutor()).shutdownNow();
    }
  }

  record Result(int exit, String stdout, String stderr) {}

  static Result run(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("peer", ".out");
    Path err = Files.createTempFile("peer", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** curl over https to localhost (resolved to 127.0.0.1) at port with extra arguments. */
  static Result curlTls(int port, Path certDir, String... extra) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10",
        "--resolve", "localhost:" + port + ":127.0.0.1", "--cacert", certDir.resolve("root.pem").toString()));
    cmd.addAll(Arrays.asList(extra));
    cmd.add("https://localhost:" + port + "/");
    return run(cmd);
  }

  static List<String> clientCert(Path dir) {
    return List.of("--cert", dir.resolve("svid.pem").toString(), "--key", dir.resolve("svid_key.pem").toString());
  }

  static Result curlPlain(int port) throws IOException, InterruptedException {
    return run(List.of("curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + port + "/"));
  }

  static void destroy(Process p) {
    if (p != null) {
      p.destroy();
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
