package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.proxy.Addresses;
import io.trustmesh.proxy.Limits;
import io.trustmesh.proxy.Resumption;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options the proxy commands share. */
final class ProxyOptions {
  private ProxyOptions() {}

  /** Where the workload's identity comes from. */
  static final class Identity {
    @Option(names = "--svid-dir", paramLabel = "DIR",
        description = "Directory with svid.pem, svid_key.pem and svid_bundle.pem (spiffe-helper names);"
            + " reloaded when the files change.")
    Path svidDir;

    @Option(names = "--workload-api", paramLabel = "unix:///PATH",
        description = "SPIFFE Workload API socket of a trustmesh agent, e.g. unix:///run/trustmesh/agent.sock"
            + " (the agent's default as root); the identity follows its rotations.")
    String workloadApi;
  }

  /** Help of {@code --spiffe-id}, an option outside the exclusive identity group (it goes with --workload-api). */
  static final String SPIFFE_ID_HELP = "With --workload-api: which SVID to present when the agent serves this uid"
      + " several (services running as one user), e.g. spiffe://example.org/web; default: the first. The proxy"
      + " waits for it at start and keeps the last good one if an update lacks it.";

  /** How long a session may be resumed when {@code --resumption} is given without a value (HAProxy's default too). */
  static final String RESUMPTION_LIFETIME = "5m";

  /** Admin endpoint, access log and limits. */
  static final class Common {
    @Option(names = "--admin", paramLabel = "ADDR:PORT",
        description = "Serve /healthz, /ready, /metrics (Prometheus) and /certs here.")
    String admin;

    @Option(names = "--access-log", paramLabel = "FILE|-",
        description = "Write one JSON line per connection to FILE, or to standard output with '-'.")
    String accessLog;

    @Option(names = "--handshake-timeout", defaultValue = "10s", paramLabel = "D",
        description = "Close connections whose handshake is not done by then (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Option(names = "--idle-timeout", defaultValue = "1h", paramLabel = "D",
        description = "Close connections idle both ways this long (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--connect-timeout", defaultValue = "5s", paramLabel = "D",
        description = "Timeout to reach the target (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--max-connections", defaultValue = "20000", paramLabel = "N",
        description = "Client connections open at once; more are refused (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--drain-timeout", defaultValue = "20s", paramLabel = "D",
        description = "On SIGTERM or Ctrl-C, stop accepting at once and give open connections this long to"
            + " finish; exit 0 when they all did, 1 when some had to be cut (default: ${DEFAULT-VALUE}; 0 cuts at"
            + " once; a second signal cuts at once too).")
    Duration drainTimeout;

    @Option(names = "--reload-interval", defaultValue = "30s", paramLabel = "D",
        description = "Re-read the identity files this often even without a change event (default: ${DEFAULT-VALUE}).")
    Duration reloadInterval;

    @Option(names = "--resumption", arity = "0..1", fallbackValue = RESUMPTION_LIFETIME,
        paramLabel = "LIFETIME",
        description = "Resume TLS sessions between trustmesh sidecars: an inbound issues session tickets, an outbound"
            + " offers them back, saving the signatures and the chain check of a full handshake. Turn it on at both"
            + " ends. LIFETIME (1s to 1h, default " + RESUMPTION_LIFETIME + ") bounds how long a session may"
            + " be resumed. A resumed session is authorized again against the current bundle, allow rules and clock;"
            + " ticket keys are new at every identity or bundle reload. Off by default. Example:"
            + " --resumption (or --resumption=10m).")
    Duration resumption;

    Resumption resumptionSetting() {
      return resumption == null ? Resumption.OFF : Resumption.enabled(resumption, "--resumption");
    }

    Limits limits() {
      return new Limits(handshakeTimeout, idleTimeout, connectTimeout, maxConnections, drainTimeout);
    }

    Optional<InetSocketAddress> adminAddress() {
      return Optional.ofNullable(admin).map(a -> Addresses.parse(a, "admin address").resolved());
    }

    Optional<String> accessLog() {
      return Optional.ofNullable(accessLog);
    }
  }

}
