package io.trustmesh.proxy;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/** A JSSE mTLS HTTP/1.1 client that checks the server's SPIFFE ID and reports the serial it saw. */
final class MtlsClient {
  private final SSLContext context;

  MtlsClient(X509Svid client, X509Certificate root, SpiffeId server) throws Exception {
    X509BundleSet bundles = X509BundleSet.of(new X509Bundle(server.trustDomain(), List.of(root)));
    context = SSLContext.getInstance("TLS");
    context.init(TlsDefaults.keyManagers(client), new TrustManager[] {new SpiffeTrustManager(() -> bundles,
        SpiffeTrustManager.Authorizer.exactly(server), Clock.systemUTC())}, null);
  }

  /** One keep-alive connection. */
  final class Conn implements AutoCloseable {
    final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    Conn(int port) throws IOException {
      socket = (SSLSocket) context.getSocketFactory().createSocket(Peers.LOOPBACK, port);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    String serverSerial() throws IOException {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().toString(16);
    }

    /** GET / and return the body; throws on anything but a 200. */
    String get() throws IOException {
      out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = line();
      int length = -1;
      for (String h = line(); !h.isEmpty(); h = line()) {
        if (h.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(h.substring(15).trim());
        }
      }
      if (!status.startsWith("HTTP/1.1 200") || length < 0) {
        throw new IOException("unexpected response: " + status);
      }
      byte[] body = in.readNBytes(length);
      if (body.length != length) {
        throw new IOException("short body");
      }
      return new String(body, StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  Conn connect(int port) throws IOException {
    return new Conn(port);
  }
}
