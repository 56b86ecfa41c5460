package io.trustmesh.agent;

import io.trustmesh.api.workload.WorkloadApi;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The agent's settings.
 *
 * <pre>{@code
 * AgentConfig c = new AgentConfig();
 * c.server = "127.0.0.1:8081"; c.trustBundle = Path.of("bundle.pem"); c.joinToken = Optional.of(token);
 * c.dataDir = Path.of("/var/lib/trustmesh/agent");
 * }</pre>
 */
public final class AgentConfig {
  /** The server's node API, {@code host:port}. */
  public String server = "127.0.0.1:8081";
  /** Roots to trust the server with before the first sync (like SPIRE's trust_bundle_path). */
  public Path trustBundle;
  /** One-time join token; not needed when the data directory holds a valid agent SVID. */
  public Optional<String> joinToken = Optional.empty();
  public Path dataDir;
  public String socket = WorkloadApi.defaultEndpoint();
  /** File sink: where to write svid.pem, svid_key.pem and svid_bundle.pem on every rotation. */
  public Optional<Path> writeDir = Optional.empty();
  /** Which identity the file sink writes; the first entry's when empty. */
  public Optional<String> writeSpiffeId = Optional.empty();
  /** Run with {@code sh -c} after every write of the file sink. */
  public Optional<String> onUpdateExec = Optional.empty();
  /** How often to sync entries with the server when all is well. */
  public Duration syncInterval = Duration.ofSeconds(5);
  /** Longest wait between retries while the server is unreachable. */
  public Duration maxBackoff = Duration.ofSeconds(30);
  public Clock clock = Clock.systemUTC();
}
