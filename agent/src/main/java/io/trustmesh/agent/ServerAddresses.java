package io.trustmesh.agent;

import io.trustmesh.core.BadInputException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers an agent may talk to, from {@code --server}: {@code HOST:PORT[,HOST:PORT...]}, where
 * a host name with several addresses (DNS A/AAAA records) counts once per address. Names are
 * resolved again each time the agent has gone round the whole list, so a server replaced behind a
 * DNS name is found without restarting the agent.
 *
 * <pre>{@code
 * ServerAddresses s = ServerAddresses.parse("10.0.0.1:8081,10.0.0.2:8081");
 * InetSocketAddress first = s.current(); InetSocketAddress second = s.next();
 * }</pre>
 */
final class ServerAddresses {
  private record HostPort(String host, int port) {}

  private final List<HostPort> configured;
  private List<InetSocketAddress> resolved;
  private int index;

  private ServerAddresses(List<HostPort> configured) {
    this.configured = configured;
    this.resolved = resolve(configured);
  }

  /** Parses {@code --server}; a bad element is named in the error. */
  static ServerAddresses parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new BadInputException("invalid server address '' (expected HOST:PORT[,HOST:PORT...])");
    }
    List<HostPort> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      out.add(hostPort(part.trim()));
    }
    return new ServerAddresses(out);
  }

  private static HostPort hostPort(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new BadInputException("invalid server address '" + hostPort + "' (expected HOST:PORT)");
    }
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return new HostPort(hostPort.substring(0, colon).replace("[", "").replace("]", ""), port);
    } catch (NumberFormatException e) {
      throw new BadInputException("invalid server address '" + hostPort + "' (expected HOST:PORT)");
    }
  }

  /** Every address of every name; a name that does not resolve now is kept unresolved (it fails, and is skipped). */
  private static List<InetSocketAddress> resolve(List<HostPort> configured) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (HostPort hp : configured) {
      try {
        for (InetAddress a : InetAddress.getAllByName(hp.host())) {
          out.add(new InetSocketAddress(a, hp.port()));
        }
      } catch (UnknownHostException e) {
        out.add(InetSocketAddress.createUnresolved(hp.host(), hp.port()));
      }
    }
    return out;
  }

  synchronized int size() {
    return resolved.size();
  }

  synchronized InetSocketAddress current() {
    return resolved.get(index);
  }

  /** The next address; after the last, the names are resolved again and the list starts over. */
  synchronized InetSocketAddress next() {
    index++;
    if (index >= resolved.size()) {
      resolved = resolve(configured);
      index = 0;
    }
    return resolved.get(index);
  }
}
