package io.trustmesh.proxy;

import io.trustmesh.core.BadInputException;
import java.net.InetSocketAddress;

/** {@code HOST:PORT} and {@code [IPv6]:PORT} as typed on the command line and in sidecar.yaml. */
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
}
