package io.trustmesh.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain TCP backend on an ephemeral loopback port that echoes each line back, one thread per
 * connection, and closes a connection when its client does. Close it in a finally block or
 * {@code @AfterEach}.
 */
final class EchoBackend implements AutoCloseable {
  private final ServerSocket server;
  private final Thread acceptor;

  EchoBackend() throws IOException {
    server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "echo-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> echo(s), "echo-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void echo(Socket s) {
    try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException ignored) {
      // the client went away
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing a server socket twice is harmless
    }
    acceptor.join(5000);
  }
}
