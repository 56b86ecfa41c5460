package io.trustmesh.doctor.connect;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.doctor.Identity;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@code doctor connect} is asked to check.
 *
 * @param host the server's host name or address
 * @param port its TCP port
 * @param identity the client identity to present, if any
 * @param bundle the roots to judge the server's chain with (defaults to the identity's bundle)
 * @param tlsVersions the versions the client offers in its main attempt (e.g. only TLSv1.2 to
 *     reproduce a client limited to it); the server's own versions are probed separately
 * @param timeout for connecting and for each answer during a handshake
 * @param readAfterHandshake how long to wait after the handshake for a TLS 1.3 rejection
 */
public record ConnectRequest(
    String host,
    int port,
    Optional<Identity> identity,
    Optional<List<X509Certificate>> bundle,
    Optional<SpiffeId> expectId,
    Optional<TrustDomain> expectTrustDomain,
    Optional<String> serverName,
    List<String> tlsVersions,
    Duration timeout,
    Duration readAfterHandshake) {

  public static final List<String> ALL_VERSIONS = List.of("TLSv1.3", "TLSv1.2");

  public ConnectRequest {
    if (port < 1 || port > 65535) {
      throw new BadInputException("port must be 1..65535: " + port);
    }
    tlsVersions = List.copyOf(tlsVersions);
  }

  /** Parses {@code HOST:PORT} or {@code [IPv6]:PORT}. */
  public static String[] splitTarget(String raw) {
    int colon = raw.lastIndexOf(':');
    if (colon <= 0 || colon == raw.length() - 1) {
      throw new BadInputException("target must be HOST:PORT: '" + raw + "'");
    }
    String host = raw.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String port = raw.substring(colon + 1);
    try {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new BadInputException("port must be 1..65535 in '" + raw + "'");
    }
    return new String[] {host, port};
  }

  /** {@code 1.2} or {@code 1.3} (or the JSSE names) to the JSSE protocol name. */
  public static String protocolName(String raw) {
    return switch (raw) {
      case "1.2", "TLSv1.2", "tls1.2" -> "TLSv1.2";
      case "1.3", "TLSv1.3", "tls1.3" -> "TLSv1.3";
      default -> throw new BadInputException("unknown TLS version '" + raw + "' (expected 1.2 or 1.3)");
    };
  }
}
