package io.trustmesh.proxy;

import io.trustmesh.core.BadInputException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code HOST:PORT}, {@code [IPv6]:PORT} and {@code unix:/path} as typed on the command line and in
 * sidecar.yaml. A unix socket is where an app and its sidecar meet when no other local user may
 * reach that hop (the inbound's target, the outbound's listener): file modes decide who connects,
 * which a loopback TCP port cannot.
 */
public final class Addresses {
  private Addresses() {}

  /** A host and a port, unresolved. */
  public record HostPort(String host, int port) {
    public InetSocketAddress resolved() {
      InetSocketAddress a = new InetSocketAddress(host, port);
      if (a.isUnresolved()) {
        throw new BadInputException("cannot resolve host '" + host + "'");
      }
      return a;
    }

    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** The prefix of a unix-domain socket address: {@code unix:/run/app/app.sock}. */
  public static final String UNIX = "unix:";

  /** {@code unix:/path} (made absolute) or {@code HOST:PORT} (resolved). */
  public static SocketAddress endpoint(String raw, String what) {
    String s = raw == null ? "" : raw.trim();
    if (s.startsWith(UNIX)) {
      String path = s.substring(UNIX.length());
      if (path.startsWith("//")) {
        path = path.substring(2); // unix:///abs/path, the Workload API's spelling
      }
      if (path.isEmpty() || path.endsWith("/")) {
        throw new BadInputException("invalid " + what + " '" + raw + "' (expected unix:/path/to/socket)");
      }
      return UnixDomainSocketAddress.of(Path.of(path).toAbsolutePath().normalize());
    }
    return parse(raw, what).resolved();
  }

  /** {@code unix:/path} or {@code HOST:PORT}: the words of the access log, the banner and the errors. */
  public static String describe(SocketAddress a) {
    if (a instanceof UnixDomainSocketAddress u) {
      return UNIX + u.getPath();
    }
    if (a instanceof InetSocketAddress i) {
      return new HostPort(i.getHostString(), i.getPort()).toString();
    }
    return String.valueOf(a);
  }

  /** The socket file of a unix address; empty for a TCP one. */
  public static Optional<Path> unixPath(SocketAddress a) {
    return a instanceof UnixDomainSocketAddress u ? Optional.of(u.getPath()) : Optional.empty();
  }

  public static HostPort parse(String raw, String what) {
    String s = raw == null ? "" : raw.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new BadInputException("invalid " + what + " '" + raw + "' (expected HOST:PORT, e.g. 127.0.0.1:8443)");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new BadInputException("invalid port in " + what + " '" + raw + "' (expected 0-65535)");
    }
    return new HostPort(host, port);
  }

  /** A listen address that must be loopback (outbound relays must not be reachable from the network). */
  public static InetSocketAddress loopback(String raw, String what) {
    InetSocketAddress a = parse(raw, what).resolved();
    if (!a.getAddress().isLoopbackAddress()) {
      throw new BadInputException(what + " " + raw + " is not a loopback address: an outbound listener"
          + " lends this workload's identity to whoever connects, so it listens on 127.0.0.1 or ::1 only");
    }
    return a;
  }

  /** An outbound listen address: a unix socket, or loopback TCP ({@link #loopback}). */
  public static SocketAddress outboundListen(String raw, String what) {
    SocketAddress a = endpoint(raw, what);
    return a instanceof UnixDomainSocketAddress ? a : loopback(raw, what);
  }
}
