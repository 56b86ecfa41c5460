package io.trustmesh.doctor.connect;

import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.doctor.Finding;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/** The checks below TLS: can we connect at all, and does a silent port speak plaintext HTTP. */
final class PortProbe {
  private PortProbe() {}

  /** Empty when a TCP connection opens; otherwise why not, by the exception's type. */
  static Optional<Finding> connect(InetSocketAddress address, Duration timeout) {
    try (Socket s = new Socket()) {
      s.connect(address, (int) timeout.toMillis());
      return Optional.empty();
    } catch (ConnectException e) {
      return Optional.of(new Finding(Cause.CONNECTION_REFUSED, "connecting to " + where(address) + ": " + e.getMessage()));
    } catch (SocketTimeoutException e) {
      return Optional.of(new Finding(Cause.CONNECT_TIMEOUT, "no TCP answer from " + where(address)
          + " within " + timeout.toMillis() + " ms"));
    } catch (NoRouteToHostException e) {
      return Optional.of(new Finding(Cause.HOST_UNREACHABLE, "connecting to " + where(address) + ": " + e.getMessage()));
    } catch (IOException e) {
      return Optional.of(new Finding(Cause.CONNECTION_RESET, "connecting to " + where(address) + ": " + e));
    }
  }

  /**
   * Asks a port that stayed silent to a ClientHello whether it is an HTTP server: a plaintext HTTP
   * server waits for a request line that a ClientHello never completes.
   */
  static boolean speaksHttp(InetSocketAddress address, Duration timeout) {
    try (Socket s = new Socket()) {
      s.connect(address, (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      s.getOutputStream().write(("HEAD / HTTP/1.0\r\nHost: " + address.getHostString() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(5);
      return new String(head, StandardCharsets.US_ASCII).equals("HTTP/");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether a port that speaks TLS also lets plaintext through, as a PERMISSIVE sidecar does: a
   * plaintext HTTP request that gets a non-TLS answer reached something behind the port. A TLS-only
   * server closes, resets or answers with a TLS alert; {@code 400} is how a TLS server (nginx,
   * Go) refuses a plaintext request on its TLS port, so it does not count. Silence says nothing.
   *
   * @return the first bytes of the plaintext answer, when there was one
   */
  static Optional<byte[]> plaintextAnswer(InetSocketAddress address, Duration timeout) {
    try (Socket s = new Socket()) {
      s.connect(address, (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      s.getOutputStream().write(("HEAD / HTTP/1.0\r\nHost: " + address.getHostString() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      byte[] buf = new byte[16];
      int n = s.getInputStream().read(buf);
      if (n <= 0) {
        return Optional.empty();
      }
      byte[] head = Arrays.copyOf(buf, n);
      String text = new String(head, StandardCharsets.US_ASCII);
      if (WireBytes.looksLikeTls(head) || text.matches("HTTP/1\\.[01] 400.*")) {
        return Optional.empty();
      }
      return Optional.of(head);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static String where(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }
}
