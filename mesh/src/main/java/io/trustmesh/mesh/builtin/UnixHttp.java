package io.trustmesh.mesh.builtin;

import io.trustmesh.api.uds.PrivateSocket;
import io.trustmesh.api.uds.SocketDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The built-in programs' HTTP/1.1 over a unix socket, one request per connection: the JDK's HTTP
 * server and client speak TCP only, and the point of the socket is that only this user can connect
 * (the socket is bound 0600 in a directory only this user can write, see {@link PrivateSocket}).
 * Enough for GET with a short answer; nothing else is asked of it.
 */
final class UnixHttp implements AutoCloseable {
  private static final int MAX_HEAD = 16 * 1024;

  private final ServerSocketChannel server;
  private final PrivateSocket socket;
  private final ExecutorService workers;
  private final Thread acceptor;

  private UnixHttp(ServerSocketChannel server, PrivateSocket socket, ExecutorService workers, Thread acceptor) {
    this.server = server;
    this.socket = socket;
    this.workers = workers;
    this.acceptor = acceptor;
  }

  static UnixHttp serve(Path path, BuiltinHttp.Handler handler) {
    ServerSocketChannel[] bound = new ServerSocketChannel[1];
    PrivateSocket socket = PrivateSocket.bind(path, SocketDirectory.PRIVATE, "rw-------", "--listen", at -> {
      ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      ch.bind(UnixDomainSocketAddress.of(at), 256);
      bound[0] = ch;
      return ch;
    });
    ExecutorService workers = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "http-" + path.getFileName());
      t.setDaemon(true);
      return t;
    });
    ServerSocketChannel server = bound[0];
    Thread acceptor = new Thread(() -> {
      while (server.isOpen()) {
        try {
          SocketChannel c = server.accept();
          workers.execute(() -> answer(c, handler));
        } catch (IOException e) {
          return; // closed
        }
      }
    }, "accept-" + path.getFileName());
    acceptor.setDaemon(true);
    acceptor.start();
    return new UnixHttp(server, socket, workers, acceptor);
  }

  private static void answer(SocketChannel c, BuiltinHttp.Handler handler) {
    try (c; InputStream in = Channels.newInputStream(c); OutputStream out = Channels.newOutputStream(c)) {
      String head = readHead(in);
      String[] requestLine = head.split("\r\n", 2)[0].split(" ");
      BuiltinHttp.Reply r = requestLine.length < 2 ? new BuiltinHttp.Reply(400, "text/plain", "bad request\n")
          : handler.handle(URI.create(requestLine[1]).getPath());
      byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
      out.write(("HTTP/1.1 " + r.status() + " " + (r.status() == 200 ? "OK" : "Error") + "\r\nContent-Type: "
          + r.contentType() + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } catch (IOException | IllegalArgumentException e) {
      // the caller went away or sent garbage: nothing to answer
    }
  }

  /** Reads up to the blank line that ends a request or response head. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4 && head.size() < MAX_HEAD) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** One GET over the socket at {@code path}; the answer's status and body. */
  static BuiltinHttp.Result get(Path path, String requestPath) throws IOException {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(path));
      OutputStream out = Channels.newOutputStream(c);
      out.write(("GET " + requestPath + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = Channels.newInputStream(c);
      String head = readHead(in);
      String[] statusLine = head.split("\r\n", 2)[0].split(" ");
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP answer: " + head.strip());
      }
      // Connection: close, so the body runs to the end of the stream
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      return new BuiltinHttp.Result(Integer.parseInt(statusLine[1]), body);
    }
  }

  Path path() {
    return socket.path();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing a listening socket has nothing to report
    }
    acceptor.interrupt();
    workers.shutdownNow();
    socket.close();
  }
}
