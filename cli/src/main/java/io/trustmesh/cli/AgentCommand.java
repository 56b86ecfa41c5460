package io.trustmesh.cli;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.workload.WorkloadApi;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
    subcommands = {AgentEvictCommand.class},
    description = {
      "Run the trustmesh node agent: attest to the server with a one-time join token, keep the",
      "agent SVID and the workload SVIDs renewed (at half-life, with jitter), and serve them on the",
      "SPIFFE Workload API to local processes whose uid/gid/pid/executable match an entry's selectors.",
      "While the server is down it serves cached SVIDs (also after a restart) and retries with backoff.",
      "With --write-dir it also writes svid.pem, svid_key.pem and svid_bundle.pem, like spiffe-helper.",
      "",
      "Example:",
      "  trustmesh agent --server 127.0.0.1:8081 --trust-bundle bundle.pem \\",
      "      --join-token 3f2a... --data-dir /var/lib/trustmesh/agent",
      "  (bundle.pem from: trustmesh bundle show > bundle.pem)",
      "",
      "From SPIRE's agent.conf (HCL): trustmesh agent --config agent.conf [--join-token T]",
      "  maps trust_domain (the server must hold an SVID in it), server_address/server_port (--server),",
      "  data_dir, socket_path (--socket), trust_bundle_path (--trust-bundle), join_token, log_level,",
      "  NodeAttestor \"join_token\", KeyManager \"disk\" and WorkloadAttestor \"unix\"; anything else",
      "  is refused with FILE:LINE. Flags given on the command line win over the file.",
      "",
      "With several servers on one PostgreSQL (HA, see docs/ha.md), name them all, or a DNS name",
      "with several addresses; a failing server is left for the next, the cache is kept:",
      "  trustmesh agent --server 10.0.0.1:8081,10.0.0.2:8081,10.0.0.3:8081 --trust-bundle bundle.pem \\",
      "      --data-dir /var/lib/trustmesh/agent",
      "",
      "To ban a node (stolen SVID, decommissioned host): trustmesh agent evict --spiffe-id ID"
    })
final class AgentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  // --server and --data-dir are required, but checked in call(): picocli would demand a parent's
  // required options even for the 'evict' subcommand, which talks to the admin socket instead.
  @Option(names = "--config", paramLabel = "FILE",
      description = "SPIRE's agent.conf (HCL); flags win over it.")
  Path config;

  @Option(names = "--server", paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "The server's node API; several servers (HA) separated by commas, or a DNS name with several"
          + " addresses: each call goes to one, and to the next when that one fails.")
  String server;

  @Option(names = "--trust-bundle", paramLabel = "F",
      description = "Roots to trust the server with at first contact (PEM), like SPIRE's trust_bundle_path.")
  Path trustBundle;

  @Option(names = "--join-token", paramLabel = "TOKEN",
      description = "One-time token from 'trustmesh token create'; not needed once the agent has attested.")
  String joinToken;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "The agent's cache (its SVID, the bundle, workload SVIDs).")
  Path dataDir;

  @Option(names = "--socket", paramLabel = "unix:///PATH",
      description = "Workload API socket (default: $" + WorkloadApi.ENDPOINT_ENV + ", else "
          + WorkloadApi.DEFAULT_SOCKET_HELP + "; its directory must be yours or root's and writable by nobody else).")
  String socket;

  @Option(names = "--write-dir", paramLabel = "DIR",
      description = "Also write svid.pem, svid_key.pem (0600) and svid_bundle.pem here on every rotation.")
  Path writeDir;

  @Option(names = "--write-spiffe-id", paramLabel = "ID",
      description = "Which identity to write (default: the first entry's).")
  String writeSpiffeId;

  @Option(names = "--on-update-exec", paramLabel = "CMD",
      description = "Run this (with sh -c) after every write, e.g. 'systemctl reload nginx'.")
  String onUpdateExec;

  @Override
  public Integer call() throws Exception {
    AgentConfig c = new AgentConfig();
    Optional<SpireConfigFile.Agent> spire = Optional.empty();
    if (config != null) {
      if (!SpireConfigFile.isSpire(config)) {
        throw new BadInputException("agent --config reads SPIRE's agent.conf (HCL, .conf or .hcl): " + config);
      }
      spire = Optional.of(SpireConfigFile.agent(config));
      c = spire.get().config();
    }
    List<String> missing = new ArrayList<>();
    if (server == null && spire.isEmpty()) {
      missing.add("'--server=ADDR:PORT'");
    }
    if (dataDir == null && c.dataDir == null) {
      missing.add("'--data-dir=DIR'");
    }
    if (!missing.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "Missing required option" + (missing.size() > 1 ? "s" : "")
          + ": " + String.join(", ", missing));
    }
    if (server != null) {
      c.server = server;
    }
    if (trustBundle != null) {
      c.trustBundle = trustBundle;
    }
    if (joinToken != null) {
      c.joinToken = Optional.of(joinToken);
    }
    if (dataDir != null) {
      c.dataDir = dataDir;
    }
    if (socket != null) {
      c.socket = socket;
    }
    WorkloadApi.socketPath(c.socket);
    c.writeDir = Optional.ofNullable(writeDir);
    c.writeSpiffeId = Optional.ofNullable(writeSpiffeId);
    c.onUpdateExec = Optional.ofNullable(onUpdateExec);
    if ((writeSpiffeId != null || onUpdateExec != null) && writeDir == null) {
      throw new BadInputException("--write-spiffe-id and --on-update-exec need --write-dir");
    }
    Logging.daemon(spire.flatMap(SpireConfigFile.Agent::logLevel));
    // Before starting, so that no signal falls between the start and the handler.
    Termination termination = Termination.install(Thread.currentThread());
    TrustmeshAgent agent = TrustmeshAgent.start(c);
    if (spire.isPresent() && !agent.spiffeId().memberOf(spire.get().trustDomain())) {
      // trust_domain in agent.conf names the domain the operator meant; a server of another one is
      // the wrong server, even if the trust bundle admits it.
      TrustDomain got = agent.spiffeId().trustDomain();
      agent.close();
      throw new BadInputException(config + ": trust_domain is " + spire.get().trustDomain().name()
          + " but the server at " + c.server + " issued " + agent.spiffeId() + " (trust domain " + got.name() + ")");
    }
    termination.started();
    spec.commandLine().getErr().println("trustmesh: agent " + agent.spiffeId() + " serving the Workload API on unix://"
        + agent.socketPath());
    spec.commandLine().getErr().flush();
    return termination.stopOnSignal(agent, spec.commandLine().getErr());
  }
}
