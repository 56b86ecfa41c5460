package io.trustmesh.api.workload;

import io.grpc.Metadata;
import io.trustmesh.api.uds.SocketDirectory;
import io.trustmesh.core.BadInputException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Constants and small helpers of the SPIFFE Workload API: the security header every call must
 * carry, and the socket address ({@code $SPIFFE_ENDPOINT_SOCKET}, else {@link #defaultSocket()}).
 */
public final class WorkloadApi {
  /** The environment variable naming the Workload API endpoint. */
  public static final String ENDPOINT_ENV = "SPIFFE_ENDPOINT_SOCKET";
  /** The default socket, as {@code --help} texts describe it. */
  public static final String DEFAULT_SOCKET_HELP =
      "unix://$XDG_RUNTIME_DIR/trustmesh/agent.sock, or unix:///run/trustmesh/agent.sock as root";
  /** Sent by clients so that a browser or an SSRF cannot reach the API: {@code workload.spiffe.io: true}. */
  public static final Metadata.Key<String> SECURITY_HEADER =
      Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

  private WorkloadApi() {}

  /** The configured endpoint: {@code $SPIFFE_ENDPOINT_SOCKET} or the default. */
  public static String defaultEndpoint() {
    return Optional.ofNullable(System.getenv(ENDPOINT_ENV)).filter(s -> !s.isBlank()).orElseGet(WorkloadApi::defaultSocket);
  }

  /**
   * The agent's socket when neither an option nor {@code $SPIFFE_ENDPOINT_SOCKET} names one: in a
   * directory the agent owns ({@link SocketDirectory#runtimeDirectory()}), never in {@code /tmp}.
   */
  public static String defaultSocket() {
    return "unix://" + SocketDirectory.runtimeDirectory().resolve("agent.sock");
  }

  /** The socket path of a {@code unix:///path} (or {@code unix:/path}) address; a bare path is accepted too. */
  public static Path socketPath(String address) {
    String a = address.trim();
    if (a.startsWith("unix://")) {
      a = a.substring("unix://".length());
    } else if (a.startsWith("unix:")) {
      a = a.substring("unix:".length());
    } else if (a.contains("://")) {
      throw new BadInputException("unsupported Workload API address '" + address
          + "' (expected unix:///path/to/socket)");
    }
    if (!a.startsWith("/")) {
      throw new BadInputException("Workload API socket must be an absolute path: '" + address + "'");
    }
    return Path.of(a);
  }
}
